"""STAFF_CROSSOVER: a bid's preparer, agent, contact or project-team member is another bidder
or works for one, on the lot's day."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.staff_crossover import DETECTOR
from credit.detection.facts import Identifier
from tests.detectors.build import bid, facts, golden, lot, org, person, run, tie, ties, who


def test_a_project_manager_employed_by_another_bidder_is_flagged() -> None:
    manager = Identifier("TEAM_MEMBER", person(1), kind="PROJECT_MANAGER")
    contact = Identifier("CONTACT", person(1))
    l1 = lot("L1", [bid(1, 10, ids=[manager, contact]), bid(2, 11), bid(3, 12)])
    behind = ties(tie("EMPLOYED_BY", person(1), org(2)), tie("EMPLOYED_BY", person(1), org(1)))
    found = run(DETECTOR, facts(l1, ties=behind))
    assert who(found) == [(org(1), org(2))]
    assert found[0].others == (person(1),)
    assert found[0].facts == {
        "roles": ["contact", "project manager"],
        "bidder": org(1),
        "other_bidder": org(2),
    }
    assert found[0].confidence == 0.85
    golden("staff_crossover", found)


def test_a_bid_prepared_by_another_bidder_itself_is_flagged() -> None:
    l1 = lot("L1", [bid(1, 10, ids=[Identifier("PREPARED_BY", org(2))]), bid(2, 11)])
    found = run(DETECTOR, facts(l1))
    assert who(found) == [(org(1), org(2))]
    assert found[0].others == ()
    assert found[0].message == "a bid of lot L1 names as its preparer another bidder of the lot"
    golden("staff_crossover_bidder", found)


def test_own_staff_a_former_employee_other_ties_and_other_edges_are_not_flagged() -> None:
    team = Identifier("TEAM_MEMBER", person(1))
    agent = Identifier("AGENT", person(2))
    device = Identifier("CREATED_ON", person(3))
    own = Identifier("PREPARED_BY", org(1))
    l1 = lot("L1", [bid(1, 10, ids=[team, agent, device, own]), bid(2, 11)])
    behind = ties(
        tie("EMPLOYED_BY", person(1), org(1)),
        tie("EMPLOYED_BY", person(2), org(2), end=date(2025, 3, 19)),
        tie("OWNS", person(2), org(2), share=1.0),
        tie("EMPLOYED_BY", person(3), org(2)),
        tie("EMPLOYED_BY", "org:X", org(2)),
    )
    assert run(DETECTOR, facts(l1, ties=behind)) == []


def test_a_team_member_without_a_role_is_a_member() -> None:
    member = Identifier("TEAM_MEMBER", person(1))
    l1 = lot("L1", [bid(1, 10, ids=[member]), bid(2, 11)])
    found = run(DETECTOR, facts(l1, ties=ties(tie("LEGAL_REP_OF", person(1), org(2)))))
    assert found[0].facts["roles"] == ["member"]
    assert "someone who works for another bidder" in found[0].message
