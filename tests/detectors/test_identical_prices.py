"""IDENTICAL_PRICES: different bidders quote the very same price, judged by how likely such
a tie is given the prices' rounding and the lot's spread."""

from __future__ import annotations

from credit.detection.detectors.identical_prices import DETECTOR
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
