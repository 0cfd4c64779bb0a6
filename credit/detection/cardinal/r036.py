"""R036 Lowest bid disqualified.

Signals a manipulated evaluation: flags an ``ocid`` (value ``1.0``) if there is an active award,
a valid bid with an amount, and the lowest submitted bid (in the selected or first observed
currency) is disqualified. Skips ``procurementMethodDetails`` without price comparison.
Re-implements cardinal-rs ``src/indicators/r036.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    OCID,
    PriceComparisonCalculator,
    State,
    get_list,
    get_str,
    get_submitted_bids,
    priced_bids,
)


class R036(PriceComparisonCalculator):
    def fold_prices(self, state: State, release: dict[str, Any], ocid: str) -> None:
        lowest_amount: float | None = None
        lowest_is_disqualified = False
        has_valid_bid_with_amount = False
        awards = get_list(release, "awards")
        if awards is not None and any(get_str(a, "status") == "active" for a in awards):
            for bid, amount, currency in priced_bids(get_submitted_bids(release)):
                status = get_str(bid, "status")
                if status is None or not state.main_currency(
                    self.currency, currency, self.warn_currency
                ):
                    continue
                if lowest_amount is None or amount < lowest_amount:
                    lowest_amount = amount
                    lowest_is_disqualified = status == "disqualified"
                if status == "valid":
                    has_valid_bid_with_amount = True
        if has_valid_bid_with_amount and lowest_is_disqualified:
            state.set_result(OCID, ocid, "R036", 1.0)
