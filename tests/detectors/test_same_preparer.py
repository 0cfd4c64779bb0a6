"""SAME_PREPARER: bids of different bidders prepared by one person or unit."""

from __future__ import annotations

from credit.detection.detectors.same_preparer import DETECTOR
from credit.detection.facts import Identifier
from tests.detectors.build import bid, facts, golden, lot, org, run, who

PREPARER = Identifier("PREPARED_BY", "person:P1")


def test_two_bidders_with_one_preparer_are_flagged_with_the_preparer_as_evidence() -> None:
    found = run(
        DETECTOR,
        facts(
            lot("L1", [bid(1, 1000, ids=[PREPARER]), bid(2, 1100, ids=[PREPARER]), bid(3, 1200)])
        ),
    )
    assert who(found) == [(org(1), org(2))]
    assert found[0].confidence == 0.9
    golden("same_preparer", found)


def test_one_bidder_with_its_own_preparer_or_two_bids_of_one_bidder_are_not() -> None:
    own = [bid(1, 1000, ids=[PREPARER]), bid(2, 1100, ids=[Identifier("PREPARED_BY", "person:P2")])]
    twice = [bid(1, 1000, ids=[PREPARER]), bid(1, 1001, ids=[PREPARER], uid="bid:again")]
    other_edge = [
        bid(1, 1000, ids=[PREPARER]),
        bid(2, 1100, ids=[Identifier("AGENT", "person:P1")]),
    ]
    assert run(DETECTOR, facts(lot("L1", own), lot("L2", twice), lot("L3", other_edge))) == []
