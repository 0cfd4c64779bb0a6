"""COMMON_CONTROLLER: sister companies, one actual controller behind bidders that keep
different responsible persons."""

from __future__ import annotations

from credit.detection.detectors.common_controller import DETECTOR
from tests.detectors.build import bid, facts, golden, lot, org, person, run, tie, ties, who

L1 = lot("L1", [bid(1, 1000), bid(2, 1100), bid(3, 1200)])


def test_one_controller_of_two_bidders_is_flagged() -> None:
    behind = ties(
        tie("CONTROLS", person(1), org(1)),
        tie("OWNS", person(1), org(2), share=0.8),
        tie("LEGAL_REP_OF", person(2), org(1)),
        tie("LEGAL_REP_OF", person(3), org(2)),
    )
    found = run(DETECTOR, facts(L1, ties=behind))
    assert who(found) == [(org(1), org(2))]
    assert found[0].facts == {"shared": [person(1)]}
    assert found[0].confidence == 0.6
    golden("common_controller", found)


def test_a_stake_at_the_threshold_does_not_control_and_the_same_head_is_art_18() -> None:
    half = ties(tie("CONTROLS", person(1), org(1)), tie("OWNS", person(1), org(2), share=0.5))
    assert run(DETECTOR, facts(L1, ties=half)) == []
    assert who(run(DETECTOR, facts(L1, ties=half), min_share=0.4)) == [(org(1), org(2))]
    same_head = ties(
        tie("CONTROLS", person(1), org(1)),
        tie("CONTROLS", person(1), org(2)),
        tie("LEGAL_REP_OF", person(2), org(1)),
        tie("LEGAL_REP_OF", person(2), org(2)),
    )
    assert run(DETECTOR, facts(L1, ties=same_head)) == []
