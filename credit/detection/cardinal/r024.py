"""R024 Price close to winning bid.

Signals cover bidding: flags an ``ocid`` (value: the ratio) and both the winner and the
lowest non-winning tenderer (``0.0``) if the percentage difference between the winning bid and
the second-lowest valid bid is at most the lower fence (``Q1 - 1.5 * IQR``, or ``threshold``).
Re-implements cardinal-rs ``src/indicators/r024.rs``.
"""

from __future__ import annotations

from credit.detection.cardinal._common import (
    Calculator,
    FloatThreshold,
    Settings,
    State,
    lower_fence,
)
from credit.detection.cardinal._second_lowest import flag_processes


class R024(Calculator):
    def __init__(self, settings: Settings) -> None:
        self.threshold = (settings.R024 or FloatThreshold()).threshold

    def finalize(self, state: State) -> None:
        ratios = state.second_lowest_bid_ratios.values()
        fence, q1 = lower_fence(state, "R024", ratios, self.threshold)
        state.set_meta("R024", "lower_fence", fence)
        if q1 > 0.0 and fence > 0.0:
            flag_processes(state, "R024", lambda ratio: ratio <= fence, with_lowest=True)
