"""SAME_CONTROLLER: bidders of one lot with the same legal representative or responsible
person, counting only ties in force on the lot's day (Regs Art. 18 para 1)."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.same_controller import DETECTOR
from tests.detectors.build import DAY, bid, facts, golden, lot, org, person, run, tie, ties, who

L1 = lot("L1", [bid(1, 1000), bid(2, 1100), bid(3, 1200)])


def test_one_legal_representative_of_two_bidders_is_flagged_with_the_ties() -> None:
    behind = ties(
        tie("LEGAL_REP_OF", person(1), org(1)),
        tie("RESPONSIBLE_FOR", person(1), org(2), start=DAY, end=DAY),
        tie("LEGAL_REP_OF", person(2), org(3)),
    )
    found = run(DETECTOR, facts(L1, ties=behind))
    assert who(found) == [(org(1), org(2))]
    assert found[0].facts == {"shared": [person(1)]}
    assert found[0].confidence == 0.95
    golden("same_controller", found)


def test_two_people_behind_the_same_pairs_are_one_finding_two_pairs_two_findings() -> None:
    lot2 = lot("L2", [bid(1, 1000), bid(2, 1100), bid(3, 1200), bid(4, 1300)])
    behind = ties(
        tie("LEGAL_REP_OF", person(1), org(1)),
        tie("LEGAL_REP_OF", person(1), org(2)),
        tie("RESPONSIBLE_FOR", person(2), org(1)),
        tie("RESPONSIBLE_FOR", person(2), org(2)),
        tie("LEGAL_REP_OF", person(3), org(3)),
        tie("LEGAL_REP_OF", person(3), org(4)),
    )
    found = run(DETECTOR, facts(lot2, ties=behind))
    assert who(found) == [(org(1), org(2)), (org(3), org(4))]
    assert found[0].facts == {"shared": [person(1), person(2)]}
    golden("same_controller_two", found)


def test_a_tie_ended_the_day_before_or_started_the_day_after_is_no_link() -> None:
    before = date(2025, 3, 19)
    after = date(2025, 3, 21)
    behind = ties(
        tie("LEGAL_REP_OF", person(1), org(1)),
        tie("LEGAL_REP_OF", person(1), org(2), end=before),
        tie("LEGAL_REP_OF", person(2), org(1)),
        tie("LEGAL_REP_OF", person(2), org(3), start=after),
    )
    assert run(DETECTOR, facts(L1, ties=behind)) == []


def test_a_company_or_an_employee_behind_two_bidders_is_not_the_same_responsible_person() -> None:
    behind = ties(
        tie("LEGAL_REP_OF", "org:PARENT", org(1)),
        tie("LEGAL_REP_OF", "org:PARENT", org(2)),
        tie("EMPLOYED_BY", person(1), org(1)),
        tie("EMPLOYED_BY", person(1), org(2)),
    )
    assert run(DETECTOR, facts(L1, ties=behind)) == []
