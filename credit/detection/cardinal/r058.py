"""R058 Heavily discounted bid.

Signals an abnormally low winning bid: flags an ``ocid`` (value: the ratio) and the winner
(``0.0``) if the percentage difference between the winning bid and the second-lowest valid bid
is at least the upper fence (``Q3 + 1.5 * IQR``, or ``threshold``). Re-implements cardinal-rs
``src/indicators/r058.rs``.
"""

from __future__ import annotations

from credit.detection.cardinal._common import (
    Calculator,
    FloatThreshold,
    Settings,
    State,
    upper_fence,
)
from credit.detection.cardinal._second_lowest import flag_processes


class R058(Calculator):
    def __init__(self, settings: Settings) -> None:
        self.threshold = (settings.R058 or FloatThreshold()).threshold

    def finalize(self, state: State) -> None:
        ratios = state.second_lowest_bid_ratios.values()
        fence = upper_fence(state, "R058", ratios, self.threshold)
        if fence > 0.0:
            flag_processes(state, "R058", lambda ratio: ratio >= fence, with_lowest=False)
