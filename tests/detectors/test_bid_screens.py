"""BID_SCREEN: a lot whose bids bunch together (low coefficient of variation) with the lowest
set apart (high relative distance): a screen, not evidence on its own."""

from __future__ import annotations

import math

import pytest

from credit.detection.detectors.bid_screens import DETECTOR, screen
from tests.detectors.build import bid, facts, golden, lot, org, run

BUNCHED = lot(
    "L1", [bid(1, 900000), bid(2, 950000), bid(3, 951300), bid(4, 952100), bid(5, 953900)]
)


def test_bunched_losers_far_above_the_winner_are_screened() -> None:
    found = run(DETECTOR, facts(BUNCHED))
    assert [f.suppliers for f in found] == [tuple(org(n) for n in range(1, 6))]
    assert found[0].confidence == 0.4
    golden("bid_screens", found)


def test_the_scores_are_the_textbook_formulas() -> None:
    s = screen(BUNCHED)
    assert s is not None
    prices = [900000.0, 950000.0, 951300.0, 952100.0, 953900.0]
    n, mean = 5, sum(prices) / 5
    sd = math.sqrt(sum((p - mean) ** 2 for p in prices) / (n - 1))
    losers = prices[1:]
    loser_mean = sum(losers) / 4
    loser_sd = math.sqrt(sum((p - loser_mean) ** 2 for p in losers) / 3)
    m2 = sum((p - mean) ** 2 for p in prices) / n
    m3 = sum((p - mean) ** 3 for p in prices) / n
    m4 = sum((p - mean) ** 4 for p in prices) / n
    assert s.bids == 5
    assert s.cv == pytest.approx(sd / mean)
    assert s.rd == pytest.approx((prices[1] - prices[0]) / loser_sd)
    assert s.spread == pytest.approx((prices[-1] - prices[0]) / prices[0])
    assert s.skewness == pytest.approx((m3 / m2**1.5) * math.sqrt(n * (n - 1)) / (n - 2))
    assert s.kurtosis == pytest.approx(
        ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    )


def test_scores_a_lot_cannot_support_are_none() -> None:
    assert screen(lot("L1", [bid(1, 100)])) is None
    assert screen(lot("L2", [bid(1, 0), bid(2, 100)])) is None
    two = screen(lot("L3", [bid(1, 100), bid(2, 110)]))
    assert two is not None and two.rd is None and two.skewness is None and two.kurtosis is None
    three = screen(lot("L4", [bid(1, 100), bid(2, 110), bid(3, 120)]))
    assert three is not None and three.skewness is not None and three.kurtosis is None
    assert three.rd == pytest.approx(10 / math.sqrt(50))
    flat = screen(lot("L5", [bid(1, 100), bid(2, 100), bid(3, 100), bid(4, 100)]))
    assert flat is not None and flat.rd is None and flat.kurtosis is None


def test_the_thresholds_are_inclusive_and_too_few_bids_are_not_screened() -> None:
    s = screen(BUNCHED)
    assert s is not None and s.cv is not None and s.rd is not None
    assert run(DETECTOR, facts(BUNCHED), max_cv=s.cv, min_rd=s.rd) != []
    assert run(DETECTOR, facts(BUNCHED), max_cv=s.cv * 0.999) == []
    assert run(DETECTOR, facts(BUNCHED), min_rd=s.rd * 1.001) == []
    assert run(DETECTOR, facts(BUNCHED), min_bids=5) != []
    assert run(DETECTOR, facts(BUNCHED), min_bids=6) == []
    spread = lot("L2", [bid(1, 500000), bid(2, 950000), bid(3, 700000), bid(4, 1200000)])
    assert run(DETECTOR, facts(spread)) == []


def test_a_withdrawn_bidder_is_named_and_a_lot_not_screened_first_stops_nothing() -> None:
    withdrawn = bid(6, 990000, lot="L2", status="WITHDRAWN")
    bunched = lot("L2", [*(bid(b.supplier, b.price, lot="L2") for b in BUNCHED.bids), withdrawn])
    too_few = lot("L0", [bid(1, 100), bid(2, 110)])
    found = run(DETECTOR, facts(too_few, bunched))
    assert [(f.lot, f.suppliers) for f in found] == [("lot:L2", tuple(org(n) for n in range(1, 7)))]
