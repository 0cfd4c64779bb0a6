"""R025 Excessive unsuccessful bids.

Signals a tenderer that bids often but rarely wins (e.g. a cover bidder): flags a tenderer
(value: its wins/bids ratio) if its number of contracting processes with a valid bid is at
least the ``percentile`` (default 75th) and its ratio is at most the lower fence
(``Q1 - 1.5 * IQR``, or ``threshold``). Re-implements cardinal-rs ``src/indicators/r025.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    TENDERER,
    Calculator,
    R025Settings,
    Settings,
    State,
    add_fraction,
    get_list,
    get_sole_winner_and_bids,
    get_str,
    lower_fence,
    quantile,
)


class R025(Calculator):
    def __init__(self, settings: Settings) -> None:
        self.setting = settings.R025 or R025Settings()

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        found = get_sole_winner_and_bids(release)
        if found is None:
            return
        supplier_id, details = found
        valid_ids: set[str] = set()
        for bid in details:
            tenderers = get_list(bid, "tenderers")
            if (
                get_str(bid, "status") == "valid"
                and tenderers is not None
                and len(tenderers) == 1
                and (tenderer_id := get_str(tenderers[0], "id")) is not None
            ):
                valid_ids.add(tenderer_id)
        # Count each tenderer once per contracting process.
        for tenderer_id in valid_ids:
            add_fraction(state.r025_tenderer, tenderer_id, int(supplier_id == tenderer_id), 1)

    def finalize(self, state: State) -> None:
        fractions = state.r025_tenderer
        upper_fence = quantile(
            (float(d) for _, d in fractions.values()), self.setting.percentile / 100
        )
        ratios = (n / d for n, d in fractions.values())
        fence, q1 = lower_fence(state, "R025", ratios, self.setting.threshold)
        state.set_meta("R025", "upper_fence", upper_fence)
        state.set_meta("R025", "lower_fence", fence)
        if q1 > 0.0 and fence > 0.0:
            for tenderer_id, (numerator, denominator) in fractions.items():
                ratio = numerator / denominator
                if denominator >= upper_fence and ratio <= fence:
                    state.set_result(TENDERER, tenderer_id, "R025", ratio)
