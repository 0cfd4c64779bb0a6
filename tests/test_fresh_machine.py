"""Issue 16 item 1: the README's test command stands alone on a fresh machine: `make test`
installs what its tests need (Chromium and CJK fonts for the pages, poppler for the printout)
before it runs them, not only CI's script."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT


def test_make_test_installs_the_browser_before_the_tests() -> None:
    plan = subprocess.run(
        ["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    deps = next(i for i, line in enumerate(plan) if "scripts/system-deps.sh --tests" in line)
    tests = next(i for i, line in enumerate(plan) if "/pytest" in line)
    assert deps < tests
    script = (ROOT / "scripts" / "system-deps.sh").read_text()
    for needed in ("chromium", "fonts-noto-cjk", "poppler-utils"):
        assert needed in script
