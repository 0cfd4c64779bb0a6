"""Staff crossover (Order 87 Art. 37 items 1-3) and bidding on a group's instruction (Regs
Art. 74 item 4) on fixtures through the real intake and graph, each with its near-misses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.intake.pipeline import Intake
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient
from tests.detect_fixtures import BUYER, buyer, load, lot_flags, orgs, suppliers, tender

PLAIN = {1: "1000000", 2: "1043700", 3: "1097350"}


def works(person: int, company: int, kind: str = "EMPLOYED_BY", **over: str) -> dict[str, Any]:
    return f.tie(kind, {"person": f.make_id_number(person)}, {"org": f.make_uscc(company)}, **over)


def who(person: int) -> dict[str, str]:
    return {"person": f.make_id_number(person)}


def market(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [*suppliers(1, 2, 3, 4), buyer(), f.person(5), f.person(6), *extra]


# --- staff crossover ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "role"),
    [
        ({"preparer": who(5)}, "preparer"),
        ({"agent": who(5)}, "agent"),
        ({"contact": who(5)}, "contact"),
        ({"team": [{"role": "PROJECT_MANAGER", "person": who(5)}]}, "project manager"),
    ],
    ids=["preparer", "agent", "contact", "project-manager"],
)
def test_a_bid_staffed_by_another_bidders_employee_is_flagged(
    intake: Intake, store: GraphStore, fields: dict[str, Any], role: str
) -> None:
    load(intake, market(works(5, 2), *tender("L1", PLAIN, bids={1: fields})))
    (flag,) = lot_flags(store, "L1", "STAFF_CROSSOVER")
    person = get_mapper().person_uid_for(f.make_id_number(5))
    assert flag.suppliers == orgs(1, 2) and flag.others == (person,)
    assert role in flag.message and "第三十七条" in flag.basis
    assert {"EMPLOYED_BY"} <= {e["type"] for e in flag.evidence["edges"]}
    assert person in flag.evidence["nodes"]


def test_another_bidders_legal_representative_as_project_manager_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    team = {"team": [{"role": "PROJECT_MANAGER", "person": who(6)}]}
    load(intake, market(works(6, 3, "LEGAL_REP_OF"), *tender("L1", PLAIN, bids={2: team})))
    (flag,) = lot_flags(store, "L1", "STAFF_CROSSOVER")
    assert flag.suppliers == orgs(2, 3)


def test_a_bid_prepared_by_another_bidder_itself_is_flagged(
    intake: Intake, store: GraphStore
) -> None:
    load(intake, market(*tender("L1", PLAIN, bids={1: {"preparer": {"org": f.make_uscc(3)}}})))
    (flag,) = lot_flags(store, "L1", "STAFF_CROSSOVER")
    assert flag.suppliers == orgs(1, 3) and flag.others == ()


@pytest.mark.parametrize(
    "records",
    [
        # the bidder's own employee as its contact and project manager
        [works(5, 1), *tender("L1", PLAIN, bids={1: {"contact": who(5), "preparer": who(5)}})],
        # employed by another bidder, but the job ended before the lot's day
        [
            works(5, 2, valid_from="2018-01-01", valid_to="2024-06-30"),
            *tender("L1", PLAIN, bids={1: {"contact": who(5)}}),
        ],
        # employed by a company that does not bid for this lot
        [works(5, 4), *tender("L1", PLAIN, bids={1: {"contact": who(5)}})],
        # a shareholder of another bidder is not its staff
        [
            f.tie("OWNS", who(5), {"org": f.make_uscc(2)}, share="0.1"),
            *tender("L1", PLAIN, bids={1: {"contact": who(5)}}),
        ],
    ],
    ids=["own-employee", "left-before", "not-bidding", "minority-shareholder"],
)
def test_staff_that_is_no_other_bidders_is_not_flagged(
    intake: Intake, store: GraphStore, records: list[dict[str, Any]]
) -> None:
    load(intake, market(*records))
    assert lot_flags(store, "L1", "STAFF_CROSSOVER") == []


# --- a group's instruction ------------------------------------------------------------------


def group(gid: str, kind: str = "GROUP") -> dict[str, Any]:
    return {"type": "group", "id": gid, "name": f"测试{gid}", "kind": kind}


def member(company: int, gid: str, **over: str) -> dict[str, Any]:
    return f.tie("MEMBER_OF", {"org": f.make_uscc(company)}, {"group": gid}, **over)


def test_members_of_one_group_on_a_lot_are_flagged(intake: Intake, store: GraphStore) -> None:
    load(
        intake,
        market(group("G1"), member(1, "G1"), member(3, "G1"), *tender("L1", PLAIN)),
    )
    (flag,) = lot_flags(store, "L1", "GROUP_INSTRUCTION")
    assert flag.suppliers == orgs(1, 3) and flag.others == ("group:G1",)
    assert "第七十四条" in flag.basis and "（四）" in flag.basis
    assert {e["type"] for e in flag.evidence["edges"]} >= {"MEMBER_OF", "SUBMITTED"}


def test_an_association_is_a_weaker_lead_than_a_group(intake: Intake, store: GraphStore) -> None:
    load(
        intake,
        market(group("A1", "ASSOCIATION"), member(1, "A1"), member(2, "A1"), *tender("L1", PLAIN)),
    )
    (flag,) = lot_flags(store, "L1", "GROUP_INSTRUCTION")
    assert flag.suppliers == orgs(1, 2) and flag.confidence < 0.6


@pytest.mark.parametrize(
    "records",
    [
        # one member only on the lot
        [group("G1"), member(1, "G1"), member(4, "G1"), *tender("L1", PLAIN)],
        # a membership that ended before the lot
        [
            group("G1"),
            member(1, "G1"),
            member(2, "G1", valid_from="2015-01-01", valid_to="2023-12-31"),
            *tender("L1", PLAIN),
        ],
        # members of different groups
        [group("G1"), group("G2"), member(1, "G1"), member(2, "G2"), *tender("L1", PLAIN)],
        # a consortium is a joint bid, not members bidding against each other
        [group("C1", "CONSORTIUM"), member(1, "C1"), member(2, "C1"), *tender("L1", PLAIN)],
    ],
    ids=["one-member", "ended", "different-groups", "consortium"],
)
def test_no_two_current_members_of_one_group_is_not_flagged(
    intake: Intake, store: GraphStore, records: list[dict[str, Any]]
) -> None:
    load(intake, market(*records))
    assert lot_flags(store, "L1", "GROUP_INSTRUCTION") == []


# --- their evidence over GraphQL ------------------------------------------------------------

EVIDENCE = """query($id: ID!) { flag(id: $id) { pattern supplierIds
  evidence { nodes { id kind } edges { type source target } } } }"""


def test_the_evidence_of_both_patterns_is_served_with_the_person_masked_for_the_purchaser(
    intake: Intake, store: GraphStore, client_as: Callable[..., GraphQLClient]
) -> None:
    team = {"team": [{"role": "PROJECT_MANAGER", "person": who(5)}]}
    load(
        intake,
        market(
            works(5, 2),
            group("G1"),
            member(1, "G1"),
            member(3, "G1"),
            *tender("L1", PLAIN, bids={1: team}),
        ),
    )
    found = {x.pattern: x for x in lot_flags(store, "L1")}
    supervisor = client_as(Role.SUPERVISOR)
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(BUYER))
    person = get_mapper().person_uid_for(f.make_id_number(5))
    staff = supervisor.ok(EVIDENCE, id=found["STAFF_CROSSOVER"].uid)["flag"]["evidence"]
    assert person in {n["id"] for n in staff["nodes"]}
    assert ("TEAM_MEMBER", person) in {(e["type"], e["target"]) for e in staff["edges"]}
    assert ("EMPLOYED_BY", person) in {(e["type"], e["source"]) for e in staff["edges"]}
    masked = purchaser.ok(EVIDENCE, id=found["STAFF_CROSSOVER"].uid)["flag"]["evidence"]
    assert person not in json.dumps(masked)
    groups = purchaser.ok(EVIDENCE, id=found["GROUP_INSTRUCTION"].uid)["flag"]["evidence"]
    assert "group:G1" in {n["id"] for n in groups["nodes"]}
    assert {e["type"] for e in groups["edges"]} >= {"MEMBER_OF", "SUBMITTED"}
