"""R058 Heavily discounted bid.

Signals an abnormally low winning bid: flags an ``ocid`` (value: the ratio) and the winner
(``0.0``) if the percentage difference between the winning bid and the second-lowest valid bid
is at least the upper fence (``Q3 + 1.5 * IQR``, or ``threshold``). Re-implements cardinal-rs
``src/indicators/r058.rs``.
"""

from __future__ import annotations

from credit.detection.cardinal._common import (
    OCID,
    TENDERER,
    Calculator,
    Settings,
    State,
    tukey_fences,
)


class R058(Calculator):
    def __init__(self, settings: Settings) -> None:
        self.threshold = settings.R058.threshold if settings.R058 is not None else None

    def finalize(self, state: State) -> None:
        if self.threshold is None:
            upper_fence = tukey_fences(state, "R058", state.second_lowest_bid_ratios.values()).upper
        else:
            upper_fence = self.threshold
        state.set_meta("R058", "upper_fence", upper_fence)
        if upper_fence > 0.0:
            for ocid, ratio in state.second_lowest_bid_ratios.items():
                if ratio >= upper_fence:
                    state.set_result(OCID, ocid, "R058", ratio)
                    winner = state.winner_and_lowest_non_winner[ocid][0]
                    state.set_result(TENDERER, winner, "R058", 0.0)
