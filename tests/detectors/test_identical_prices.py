"""IDENTICAL_PRICES: different bidders quote the very same price, judged by how likely such
a tie is given the prices' rounding and the lot's spread."""

from __future__ import annotations

import pytest

from credit.detection.common import median, spread_scale
from credit.detection.detectors.identical_prices import DETECTOR
from credit.detection.detectors.regular_price_difference import DIFFERENCE
from tests.detectors.build import bid, facts, golden, lot, org, run, who

ODD = "1043717.23"


def test_two_bidders_quoting_the_same_odd_price_are_flagged() -> None:
    l1 = lot("L1", [bid(1, ODD), bid(2, ODD), bid(3, "1000000"), bid(4, "1100000")])
    found = run(DETECTOR, facts(l1))
    assert who(found) == [(org(1), org(2))]
    assert found[0].facts == {"price": ODD}
    chance = found[0].scores["chance"]
    assert 0 < chance < 1e-4
    assert found[0].confidence == round(0.8 * (1 - chance), 4)
    golden("identical_prices", found)
    # the threshold is inclusive: a chance equal to it still flags, one above it does not
    assert who(run(DETECTOR, facts(l1), max_chance=chance)) == [(org(1), org(2))]
    assert run(DETECTOR, facts(l1), max_chance=chance * 0.999) == []


def test_round_prices_a_lone_bidder_and_one_suppliers_two_bids_are_not_flagged() -> None:
    round_tie = lot("L1", [bid(1, "1000000"), bid(2, "1000000"), bid(3, "1040000")])
    alone = lot("L2", [bid(1, ODD)])
    twice = lot("L3", [bid(1, ODD), bid(1, ODD, uid="bid:again"), bid(2, "999999.99")])
    withdrawn = lot("L4", [bid(1, ODD), bid(2, ODD, status="WITHDRAWN"), bid(3, "1000000")])
    assert run(DETECTOR, facts(round_tie, alone, twice, withdrawn)) == []


def test_three_bidders_on_one_price_are_one_finding_and_the_chance_grows_with_the_bidders() -> None:
    three = lot("L1", [bid(1, ODD), bid(2, ODD), bid(3, ODD), bid(4, "1000000")])
    pair = lot("L2", [bid(1, ODD), bid(2, ODD), bid(3, "1043000"), bid(4, "1000000")])
    (found3,) = run(DETECTOR, facts(three))
    (found2,) = run(DETECTOR, facts(pair))
    assert found3.suppliers == (org(1), org(2), org(3))
    assert found3.message == f"3 bidders of lot L1 quote exactly {ODD}"
    assert found3.scores["chance"] < found2.scores["chance"]


def test_the_chance_is_the_pairs_times_the_density_of_a_tie_per_step_of_the_grid() -> None:
    # Two bids on one price: no spread, so the floor (1% of the median price) is the scale.
    (two,) = run(DETECTOR, facts(lot("L1", [bid(1, ODD), bid(2, ODD)])))
    sigma = 0.01 * float(ODD)
    assert two.scores["chance"] == pytest.approx(DIFFERENCE * 0.01 / sigma)
    # Three of four on one price: C(4, 3) ways, the tie density once per extra bidder.
    prices = [ODD, ODD, ODD, "1000000"]
    (three,) = run(DETECTOR, facts(lot("L2", [bid(k, p) for k, p in enumerate(prices)])))
    scale = spread_scale([float(p) for p in prices], 0.01 * median([float(p) for p in prices]))
    assert three.scores["chance"] == pytest.approx(4 * (DIFFERENCE * 0.01 / scale) ** 2)


def test_a_likely_tie_is_capped_at_certainty_and_lowers_the_confidence() -> None:
    # Round prices close together: the density over a 10 000 grid exceeds 1, so it counts as 1.
    close = lot("L1", [bid(1, "1000000"), bid(2, "1000000"), bid(3, "1000100")])
    (found,) = run(DETECTOR, facts(close), max_chance=10.0, min_spread=0.001)
    assert found.scores["chance"] == 3.0  # C(3, 2) * 1
    half = lot("L2", [bid(1, "1000000"), bid(2, "1000000"), bid(3, "1100000")])
    (weak,) = run(DETECTOR, facts(half), max_chance=1.0)
    assert 0.1 < weak.scores["chance"] < 0.9
    assert weak.confidence == round(0.8 * (1 - weak.scores["chance"]), 4)


def test_every_lot_and_every_price_is_looked_at_after_one_that_is_not_flagged() -> None:
    alone = lot("L0", [bid(1, ODD)])
    both = lot(
        "L1", [bid(1, "1000000"), bid(2, "1000000"), bid(3, ODD), bid(4, ODD), bid(5, "1100000")]
    )
    found = run(DETECTOR, facts(alone, both))
    assert [(f.lot, f.suppliers) for f in found] == [("lot:L1", (org(3), org(4)))]


def test_a_tie_at_zero_and_a_lot_without_spread_are_not_judged_but_small_prices_are() -> None:
    unpublished = lot("L1", [bid(1, "0"), bid(2, "0"), bid(3, "1000000"), bid(4, "1100000")])
    assert run(DETECTOR, facts(unpublished), max_chance=1.0) == []
    flat = lot("L2", [bid(1, ODD), bid(2, ODD)])  # no spread to judge a tie against
    assert run(DETECTOR, facts(flat), max_chance=1.0, min_spread=0.0) == []
    small = lot("L3", [bid(1, "0.50"), bid(2, "0.50"), bid(3, "0.80"), bid(4, "1.20")])
    assert who(run(DETECTOR, facts(small), max_chance=1.0)) == [(org(1), org(2))]
