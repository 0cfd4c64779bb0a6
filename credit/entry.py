"""The ``credit`` console script: ``credit indicators`` starts without the rest of the
application (cardinal's command line is timed against a native binary); every other command
goes to ``credit.cli``."""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "indicators":
        from credit.detection.cardinal.cli import main as indicators

        indicators()
        return
    from credit.cli import main as full

    full()


if __name__ == "__main__":
    main()
