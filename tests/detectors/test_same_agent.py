"""SAME_AGENT: different bidders entrust one agent with their bidding."""

from __future__ import annotations

from credit.detection.detectors.same_agent import DETECTOR
from credit.detection.facts import Identifier
from tests.detectors.build import bid, facts, golden, lot, org, run, who

AGENT = Identifier("AGENT", "org:AGENT")


def test_three_bidders_with_one_agent_are_one_finding() -> None:
    found = run(
        DETECTOR,
        facts(
            lot(
                "L1",
                [bid(1, 1000, ids=[AGENT]), bid(2, 1100, ids=[AGENT]), bid(3, 1150, ids=[AGENT])],
            )
        ),
    )
    assert who(found) == [(org(1), org(2), org(3))]
    assert found[0].confidence == 0.85
    golden("same_agent", found)


def test_a_disabled_weight_and_a_preparer_are_not_an_agent() -> None:
    preparer = Identifier("PREPARED_BY", "org:AGENT")
    lone = [bid(1, 1000, ids=[AGENT]), bid(2, 1100, ids=[preparer])]
    assert run(DETECTOR, facts(lot("L1", lone))) == []
    found = run(
        DETECTOR, facts(lot("L2", [bid(1, 9, ids=[AGENT]), bid(2, 9, ids=[AGENT])])), confidence=0.5
    )
    assert [f.confidence for f in found] == [0.5]
