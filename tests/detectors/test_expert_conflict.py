"""EXPERT_CONFLICT: a reviewer with a tie to a bidder within the lookback before the review,
or a close relative of its legal representative (Regs Art. 9)."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.expert_conflict import DETECTOR
from credit.detection.facts import Kin, ReviewFact
from tests.detectors.build import DAY, bid, facts, golden, lot, org, person, run, tie, ties, who

EXPERT = "person:E1"
REVIEW = ReviewFact(EXPERT, "review:R1", DAY)
L1 = lot("L1", [bid(1, 10), bid(2, 11)], reviews=[REVIEW])
THREE_YEARS = date(2022, 3, 20)


def test_an_employment_ended_within_three_years_and_a_majority_stake_are_grounds() -> None:
    behind = ties(
        tie("EMPLOYED_BY", EXPERT, org(1), start=date(2015, 1, 1), end=THREE_YEARS),
        tie("OWNS", EXPERT, org(1), share=0.6),
        tie("DIRECTOR_OF", EXPERT, org(2), start=date(2025, 3, 21)),
    )
    found = run(DETECTOR, facts(L1, ties=behind))
    assert who(found) == [(org(1),)]
    assert found[0].others == (EXPERT,)
    assert found[0].facts == {
        "reviewed_on": DAY,
        "grounds": ["a controlling shareholder", "an employee"],
    }
    assert found[0].confidence == 0.95
    golden("expert_conflict", found)


def test_ties_older_than_the_lookback_minority_stakes_and_other_relations_are_not() -> None:
    behind = ties(
        tie("EMPLOYED_BY", EXPERT, org(1), end=date(2022, 3, 19)),
        tie("OWNS", EXPERT, org(1), share=0.5),
        tie("BUYS_FROM", EXPERT, org(2)),
        tie("EMPLOYED_BY", person(9), org(2)),
    )
    assert run(DETECTOR, facts(L1, ties=behind)) == []
    assert who(run(DETECTOR, facts(L1, ties=behind), lookback_years=4)) == [(org(1),)]
    assert who(run(DETECTOR, facts(L1, ties=behind), min_share=0.4)) == [(org(1),)]


def test_a_relative_of_the_legal_representative_is_a_ground_with_its_own_weight() -> None:
    behind = ties(tie("LEGAL_REP_OF", person(5), org(2)), tie("LEGAL_REP_OF", person(6), org(1)))
    kin = {
        EXPERT: [
            Kin(EXPERT, person(5), "SPOUSE", person(5), uid="kin:1"),
            Kin(EXPERT, person(6), "FRIEND", EXPERT, uid="kin:2"),
        ]
    }
    found = run(DETECTOR, facts(L1, ties=behind, kin=kin))
    assert who(found) == [(org(2),)]
    assert found[0].confidence == 0.9
    assert found[0].facts["grounds"] == ["a close relative of its legal representative"]
    golden("expert_conflict_kin", found)
    both = ties(
        tie("LEGAL_REP_OF", person(5), org(2)),
        tie("SUPERVISOR_OF", EXPERT, org(2), start=date(2020, 1, 1)),
    )
    (found2,) = run(DETECTOR, facts(L1, ties=both, kin=kin))
    assert found2.confidence == round(1 - 0.05 * 0.1, 4)
    assert found2.facts["grounds"] == [
        "a supervisor",
        "a close relative of its legal representative",
    ]
    golden("expert_conflict_both", [found2])


def test_a_relative_of_a_former_legal_representative_is_not() -> None:
    behind = ties(tie("LEGAL_REP_OF", person(5), org(2), end=date(2025, 3, 19)))
    kin = {EXPERT: [Kin(EXPERT, person(5), "SIBLING", EXPERT)]}
    assert run(DETECTOR, facts(L1, ties=behind, kin=kin)) == []
