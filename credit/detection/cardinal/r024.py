"""R024 Price close to winning bid.

Signals cover bidding: flags an ``ocid`` (value: the ratio) and both the winner and the
lowest non-winning tenderer (``0.0``) if the percentage difference between the winning bid and
the second-lowest valid bid is at most the lower fence (``Q1 - 1.5 * IQR``, or ``threshold``).
Re-implements cardinal-rs ``src/indicators/r024.rs``.
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


class R024(Calculator):
    def __init__(self, settings: Settings) -> None:
        self.threshold = settings.R024.threshold if settings.R024 is not None else None

    def finalize(self, state: State) -> None:
        if self.threshold is None:
            fences = tukey_fences(state, "R024", state.second_lowest_bid_ratios.values())
            lower_fence, q1 = fences.lower, fences.q1
        else:
            lower_fence, q1 = self.threshold, 1.0  # dummy q1 to pass the guard
        state.set_meta("R024", "lower_fence", lower_fence)
        if q1 > 0.0 and lower_fence > 0.0:
            for ocid, ratio in state.second_lowest_bid_ratios.items():
                if ratio <= lower_fence:
                    state.set_result(OCID, ocid, "R024", ratio)
                    for tenderer_id in state.winner_and_lowest_non_winner[ocid]:
                        state.set_result(TENDERER, tenderer_id, "R024", 0.0)
