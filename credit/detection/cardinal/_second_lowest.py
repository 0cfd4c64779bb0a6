"""Percentage difference between the winning bid and the lowest non-winning valid bid.

Shared by R024 and R058, which flag the processes whose difference is past a fence;
re-implements ``SecondLowestBidRatio`` in cardinal-rs ``src/indicators/util.rs``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credit.detection.cardinal._common import (
    OCID,
    TENDERER,
    PriceComparisonCalculator,
    State,
    get_sole_winner_and_bids,
    get_tenderer_and_value_of_valid_bids,
)


class SecondLowestBidRatio(PriceComparisonCalculator):
    def fold_prices(self, state: State, release: dict[str, Any], ocid: str) -> None:
        found = get_sole_winner_and_bids(release)
        if found is None:
            return
        supplier_id, details = found

        winner: str | None = None
        winner_amount: float | None = None
        lowest: str | None = None
        lowest_amount: float | None = None
        for tenderer_id, amount, currency in get_tenderer_and_value_of_valid_bids(details):
            # Use the selected currency, or else the first observed currency.
            if not state.main_currency(self.currency, currency, self.warn_currency):
                continue
            if supplier_id == tenderer_id:
                if winner_amount is None or amount < winner_amount:
                    winner, winner_amount = tenderer_id, amount
            elif lowest_amount is None or amount < lowest_amount:
                lowest, lowest_amount = tenderer_id, amount

        if (
            winner is not None
            and winner_amount is not None
            and lowest is not None
            and lowest_amount is not None
            # If the lowest bid didn't win, the award criteria aren't price only.
            and lowest_amount >= winner_amount
        ):
            state.second_lowest_bid_ratios[ocid] = (lowest_amount - winner_amount) / winner_amount
            state.winner_and_lowest_non_winner[ocid] = (winner, lowest)


def flag_processes(
    state: State, code: str, past: Callable[[float], bool], with_lowest: bool
) -> None:
    """Flag each process whose ratio is past the fence (value: the ratio) and its winner
    (``0.0``), and with `with_lowest` its lowest non-winning tenderer too."""
    for ocid, ratio in state.second_lowest_bid_ratios.items():
        if past(ratio):
            state.set_result(OCID, ocid, code, ratio)
            winner, lowest = state.winner_and_lowest_non_winner[ocid]
            for tenderer_id in (winner, lowest) if with_lowest else (winner,):
                state.set_result(TENDERER, tenderer_id, code, 0.0)
