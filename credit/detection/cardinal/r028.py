"""R028 Identical bid prices.

Signals possible collusion: flags an ``ocid`` (value ``1.0``) and the tenderers involved if
submitted bids from different sets of tenderers have the same amount and currency. Skips
``procurementMethodDetails`` without price comparison. Re-implements cardinal-rs
``src/indicators/r028.rs``.
"""

from __future__ import annotations

from typing import Any

from credit.detection.cardinal._common import (
    OCID,
    TENDERER,
    PriceComparisonCalculator,
    State,
    get_list,
    get_str,
    get_submitted_bids,
    priced_bids,
)


class R028(PriceComparisonCalculator):
    def fold_prices(self, state: State, release: dict[str, Any], ocid: str) -> None:
        prices: dict[tuple[float, str], set[str]] = {}
        for bid, amount, currency in priced_bids(get_submitted_bids(release)):
            tenderers = get_list(bid, "tenderers")
            if tenderers is None:
                continue
            ids = {i for tenderer in tenderers if (i := get_str(tenderer, "id")) is not None}
            if not ids:
                continue
            price = (amount, currency)
            other = prices.get(price)
            # A tenderer is allowed to submit additional bids with the same price.
            if other is not None and ids != other:
                state.set_result(OCID, ocid, "R028", 1.0)
                for tenderer_id in ids | other:
                    state.set_result(TENDERER, tenderer_id, "R028", 1.0)
            prices[price] = ids
