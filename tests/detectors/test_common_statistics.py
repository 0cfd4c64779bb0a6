"""What several detectors share (credit.detection.common), stated at its edges: the exact
small-sample tails the history detectors test against, price granularity, spreads, calendar
years back and the evidence of a lot's timeline. Pure, no database; the values are worked by
hand (or, for the far tail, in 50-digit decimals)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal, getcontext, localcontext

import pytest

from credit.detection.common import (
    award_edges,
    binomial_tail,
    granularity,
    lot_timeline,
    median,
    poisson_binomial_tail,
    poisson_tail,
    spread_scale,
    together_chance,
    years_before,
)
from credit.detection.flags import Edge
from tests.detectors.build import bid, history, lot, org


@pytest.mark.parametrize(
    ("k", "n", "p", "tail"),
    [
        (0, 3, 0.5, 1.0),
        (-1, 3, 0.5, 1.0),
        (1, 3, 0.5, 0.875),
        (2, 3, 0.5, 0.5),
        (3, 3, 0.5, 0.125),
        (4, 3, 0.5, 0.0),
        (2, 4, 0.25, 1 - 0.75**4 - 4 * 0.25 * 0.75**3),
    ],
)
def test_binomial_tail_is_the_chance_of_k_or_more(k: int, n: int, p: float, tail: float) -> None:
    assert binomial_tail(k, n, p) == pytest.approx(tail, rel=1e-12)


@pytest.mark.parametrize(
    ("k", "mean", "tail"),
    [
        (0, 2.0, 1.0),
        (1, 0.0, 0.0),
        (1, 2.0, 1 - math.exp(-2)),  # k below the mean: 1 - P(X < k)
        (2, 2.0, 1 - 3 * math.exp(-2)),  # k at the mean
        (3, 4.0, 1 - 13 * math.exp(-4)),  # 1 + 4 + 8 below
        (3, 1.0, 1 - 2.5 * math.exp(-1)),  # k above the mean: the tail summed
        (5, 4.5, 1 - math.exp(-4.5) * (1 + 4.5 + 4.5**2 / 2 + 4.5**3 / 6 + 4.5**4 / 24)),
    ],
)
def test_poisson_tail_is_the_chance_of_k_or_more(k: int, mean: float, tail: float) -> None:
    assert poisson_tail(k, mean) == pytest.approx(tail, rel=1e-12, abs=1e-15)


def test_a_far_poisson_tail_keeps_its_digits() -> None:
    """1 - P(X < 30) is 0 in binary floats; the tail summed is about 1e-33."""
    with localcontext() as context:
        context.prec = 50
        e = Decimal(-1).exp()
        exact = sum((e / math.factorial(i) for i in range(30, 80)), Decimal(0))
    assert getcontext().prec == 28
    assert poisson_tail(30, 1.0) == pytest.approx(float(exact), rel=1e-12)


@pytest.mark.parametrize(
    ("k", "probabilities", "tail"),
    [
        (0, [], 1.0),
        (1, [], 0.0),
        (1, [0.5, 0.5], 0.75),
        (2, [0.5, 0.5], 0.25),
        (3, [0.5, 0.5], 0.0),
        (1, [0.2, 0.5], 1 - 0.8 * 0.5),
        (2, [0.2, 0.5, 1.0], 0.2 + 0.5 - 0.2 * 0.5),
    ],
)
def test_poisson_binomial_tail_is_the_chance_of_k_or_more_successes(
    k: int, probabilities: list[float], tail: float
) -> None:
    assert poisson_binomial_tail(k, probabilities) == pytest.approx(tail, rel=1e-12)


@pytest.mark.parametrize(
    ("prices", "unit"),
    [
        ([], "10000"),
        (["120000"], "10000"),
        (["120000", "35000"], "1000"),
        (["120000", "35000", "400"], "100"),
        (["120000", "70"], "10"),
        (["120000", "7"], "1"),
        (["12.5", "120000"], "0.01"),
        (["12.50"], "0.01"),
    ],
)
def test_granularity_is_the_coarsest_unit_every_price_is_a_multiple_of(
    prices: list[str], unit: str
) -> None:
    assert granularity(Decimal(p) for p in prices) == Decimal(unit)


def test_the_spread_is_the_sample_deviation_but_never_below_the_floor() -> None:
    assert spread_scale([5.0], 2.0) == 2.0  # one price: no spread to measure
    assert spread_scale([1.0, 3.0], 0.1) == pytest.approx(math.sqrt(2))
    assert spread_scale([2.0, 4.0, 9.0], 0.1) == pytest.approx(math.sqrt(13))
    assert spread_scale([1.0, 1.0], 0.5) == 0.5


def test_the_median_of_an_odd_and_an_even_count() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([7.0]) == 7.0


def test_years_before_is_the_same_calendar_day_or_28_february() -> None:
    assert years_before(date(2025, 3, 1), 3) == date(2022, 3, 1)
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)


def test_together_chance_is_the_poisson_tail_of_the_joint_lots_expected_by_chance() -> None:
    # 4 lots of the trade put out by the buyer; S1 bid in 2, S2 in 2: 4 x 2/4 x 2/4 = 1 expected
    lots = [
        lot("L1", [bid(1, 100, lot="L1"), bid(2, 101, lot="L1")], purchaser="org:B"),
        lot("L2", [bid(1, 100, lot="L2")], purchaser="org:B"),
        lot("L3", [bid(2, 100, lot="L3")], purchaser="org:B"),
        lot("L4", [bid(3, 100, lot="L4")], purchaser="org:B"),
        # another trade of S1's does not count towards its rate in this one
        lot("L5", [bid(1, 100, lot="L5")], purchaser="org:B", category="WORKS"),
    ]
    past = history(*lots)
    pair = [org(1), org(2)]
    assert together_chance(past, pair, 1) == pytest.approx(1 - math.exp(-1))
    assert together_chance(past, pair, 2) == pytest.approx(1 - 2 * math.exp(-1))
    assert together_chance(past, [org(8), org(9)], 1) == 1.0  # no lots: nothing to judge
    unbought = history(lot("L1", [bid(1, 100), bid(2, 101)], purchaser=None))
    assert together_chance(unbought, pair, 1) == 1.0  # no purchaser: no market to size


def test_a_timeline_shows_the_suppliers_bids_and_only_their_own_awards() -> None:
    won = lot("L1", [bid(1, 100, lot="L1"), bid(2, 101, lot="L1")], winner=org(1))
    lost = lot("L2", [bid(1, 100, lot="L2"), bid(3, 99, lot="L2")], winner=org(3))
    open_lot = lot("L3", [bid(1, 100, lot="L3")])
    nodes, edges = lot_timeline([won, lost, open_lot], [org(1)])
    assert nodes == [
        "lot:L1",
        "bid:L1-S1",
        "award:L1",
        "lot:L2",
        "bid:L2-S1",
        "lot:L3",
        "bid:L3-S1",
    ]
    assert edges[:4] == [
        Edge("SUBMITTED", org(1), "bid:L1-S1", {"price": "100"}),
        Edge("FOR_LOT", "bid:L1-S1", "lot:L1"),
        Edge("AWARD_OF", "award:L1", "lot:L1"),
        Edge("WON_BY", "award:L1", org(1)),
    ]
    assert len(edges) == 8
    assert award_edges(open_lot) == []
