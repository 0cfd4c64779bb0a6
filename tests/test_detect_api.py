"""Flags over GraphQL and HTTP: a purchaser at bid opening, a supervisor's queue and review,
violation drafts that stay drafts, and who may see which flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credit.core.store import GraphStore
from credit.detection.registry import DETECTORS
from credit.intake.pipeline import Intake
from credit.security.permissions import Role
from tests import factories as f
from tests.conftest import GraphQLClient
from tests.detect_fixtures import BUYER, background, buyer, load, orgs, suppliers, tender, turns

AGENCY, OTHER_BUYER = 91, 92
LOT_FLAGS = """query($lot: ID!) { lotFlags(lotId: $lot) {
  lotId ran screens { bids coefficientOfVariation }
  flags { id pattern confidence legalBasis status message supplierIds suppliers { uscc }
          evidence { nodes { id kind name properties } edges { type source target } } } } }"""
QUEUE = """query($first: Int!, $after: String, $filter: FlagFilter) {
  flags(first: $first, after: $after, filter: $filter) {
    nodes { id pattern confidence status } pageInfo { hasNextPage endCursor } } }"""
REVIEW = """mutation($id: ID!, $decision: ReviewDecision!, $reason: String!, $draft: Boolean!) {
  reviewFlag(id: $id, decision: $decision, reason: $reason, createDraftViolation: $draft) {
    flag { status reviewedBy reviewReason }
    drafts { subjectUscc category severity basis status lotId projectId } } }"""


def bid_opening(intake: Intake) -> None:
    """Lot L1 of purchaser 90, run by agency 91: bidders 1 and 2 pay deposits from one
    account, 2 and 3 name the same contact person."""
    deposit = {"deposit_account": "6228 0000 1111"}
    contact = {"contact": {"person": f.make_id_number(5)}}
    records = [
        *suppliers(1, 2, 3),
        buyer(),
        buyer(OTHER_BUYER),
        f.organization(AGENCY, roles=["AGENCY"]),
        f.person(5, name="李联系"),
        *tender(
            "L1",
            {1: "1000000", 2: "1043700", 3: "1097350"},
            bids={1: deposit, 2: deposit | contact, 3: contact},
            project={"agency": f.make_uscc(AGENCY), "ocid": "ocds-213czf-L1"},
        ),
    ]
    load(intake, records)


def flags_by_pattern(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {x["pattern"]: x for x in result["lotFlags"]["flags"]}


def test_a_purchaser_sees_at_bid_opening_which_bidders_look_connected_and_why(
    intake: Intake, client_as: Callable[..., GraphQLClient]
) -> None:
    bid_opening(intake)
    purchaser = client_as(Role.PURCHASER, org=f.make_uscc(BUYER))
    result = purchaser.ok(LOT_FLAGS, lot="L1")
    assert result["lotFlags"]["ran"] is True
    found = flags_by_pattern(result)
    assert set(found) == {"SAME_DEPOSIT_ACCOUNT", "SHARED_CONTACT"}
    deposit = found["SAME_DEPOSIT_ACCOUNT"]
    assert deposit["supplierIds"] == list(orgs(1, 2))
    assert {s["uscc"] for s in deposit["suppliers"]} == {f.make_uscc(1), f.make_uscc(2)}
    assert deposit["status"] == "OPEN" and "Art. 37 item 6" in deposit["legalBasis"]
    kinds = {n["kind"] for n in deposit["evidence"]["nodes"]}
    assert {"bankaccount", "bid", "org", "lot"} <= kinds
    assert {e["type"] for e in deposit["evidence"]["edges"]} >= {"DEPOSIT_FROM", "SUBMITTED"}
    (person,) = [n for n in found["SHARED_CONTACT"]["evidence"]["nodes"] if n["kind"] == "person"]
    assert "name" not in person["properties"] and person["name"] != "李联系"
    assert result["lotFlags"]["screens"]["bids"] == 3


def test_the_agency_running_the_lot_sees_its_flags_and_another_purchaser_does_not(
    intake: Intake, client_as: Callable[..., GraphQLClient]
) -> None:
    bid_opening(intake)
    agency = client_as(Role.AGENCY, org=f.make_uscc(AGENCY))
    assert len(agency.ok(LOT_FLAGS, lot="L1")["lotFlags"]["flags"]) == 2
    stranger = client_as(Role.PURCHASER, org=f.make_uscc(OTHER_BUYER))
    error = stranger.error(LOT_FLAGS, lot="L1")
    assert error["extensions"] == {"code": "FORBIDDEN", "field": "lotId"}
    assert stranger.ok(QUEUE, first=10)["flags"]["nodes"] == []
    flag_id = agency.ok(QUEUE, first=1)["flags"]["nodes"][0]["id"]
    assert stranger.ok("query($id: ID!) { flag(id: $id) { id } }", id=flag_id)["flag"] is None


def test_a_supervisor_pages_through_the_queue_most_confident_first(
    intake: Intake, gql: GraphQLClient
) -> None:
    bid_opening(intake)
    gql.ok(LOT_FLAGS, lot="L1")
    first = gql.ok(QUEUE, first=1)["flags"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = gql.ok(QUEUE, first=1, after=first["pageInfo"]["endCursor"])["flags"]
    assert second["pageInfo"]["hasNextPage"] is False
    (a,), (b,) = first["nodes"], second["nodes"]
    assert (a["pattern"], b["pattern"]) == ("SAME_DEPOSIT_ACCOUNT", "SHARED_CONTACT")
    assert a["confidence"] >= b["confidence"]
    only = gql.ok(QUEUE, first=10, filter={"pattern": "SHARED_CONTACT"})["flags"]["nodes"]
    assert [x["pattern"] for x in only] == ["SHARED_CONTACT"]
    error = gql.error(QUEUE, first=1, after="not-a-cursor")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_supervisor_sees_the_contact_persons_name_in_the_evidence(
    intake: Intake, gql: GraphQLClient
) -> None:
    bid_opening(intake)
    found = flags_by_pattern(gql.ok(LOT_FLAGS, lot="L1"))
    (person,) = [n for n in found["SHARED_CONTACT"]["evidence"]["nodes"] if n["kind"] == "person"]
    assert person["name"] == "李联系"


def test_confirming_a_flag_drafts_violations_but_records_none_and_is_audited(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    bid_opening(intake)
    flag_id = flags_by_pattern(gql.ok(LOT_FLAGS, lot="L1"))["SAME_DEPOSIT_ACCOUNT"]["id"]
    result = gql.ok(REVIEW, id=flag_id, decision="CONFIRM", reason="银行流水证实", draft=True)
    reviewed = result["reviewFlag"]
    assert reviewed["flag"] == {
        "status": "CONFIRMED",
        "reviewedBy": "supervisor",
        "reviewReason": "银行流水证实",
    }
    drafts = reviewed["drafts"]
    assert sorted(d["subjectUscc"] for d in drafts) == [f.make_uscc(1), f.make_uscc(2)]
    assert {(d["category"], d["status"], d["lotId"], d["projectId"]) for d in drafts} == {
        ("MALICIOUS_COLLUSION", "DRAFT", "L1", "P-L1")
    }
    assert all("第（六）项" in d["basis"] for d in drafts)
    assert store.read("MATCH (v:Violation) RETURN count(v) AS n")[0]["n"] == 0
    again = gql.ok(REVIEW, id=flag_id, decision="CONFIRM", reason="再次确认", draft=True)
    assert len(again["reviewFlag"]["drafts"]) == 2
    assert store.read("MATCH (d:ViolationDraft) RETURN count(d) AS n")[0]["n"] == 2
    history = gql.ok(
        "query($id: ID!) { flag(id: $id) { reviews { reason reviewerName previousStatus } } }",
        id=flag_id,
    )["flag"]["reviews"]
    assert [r["previousStatus"] for r in history] == ["CONFIRMED", "OPEN"]
    published = store.read("MATCH (c:Change {kind: 'FLAG_CONFIRMED'}) RETURN c.record AS r")
    assert {r["r"] for r in published} == {flag_id}
    events = gql.ok(
        '{ auditEvents(filter: {operation: "Mutation.reviewFlag"}) { nodes { targets outcome } } }'
    )["auditEvents"]["nodes"]
    assert len(events) == 2 and all(flag_id in e["targets"] for e in events)


def test_a_review_needs_a_reason_and_a_screen_cannot_draft_a_violation(
    intake: Intake, gql: GraphQLClient
) -> None:
    prices = {1: "900000", 2: "950000", 3: "951300", 4: "952100", 5: "953900"}
    load(intake, [*suppliers(1, 2, 3, 4, 5), buyer(), *tender("L2", prices)])
    flag_id = flags_by_pattern(gql.ok(LOT_FLAGS, lot="L2"))["BID_SCREEN"]["id"]
    blank = gql.error(REVIEW, id=flag_id, decision="DISMISS", reason="  ", draft=False)
    assert blank["extensions"]["field"] == "reason"
    screen = gql.error(REVIEW, id=flag_id, decision="CONFIRM", reason="x", draft=True)
    assert screen["extensions"]["rule"] == "not_evidence"
    missing = gql.error(REVIEW, id="flag:nope", decision="DISMISS", reason="x", draft=False)
    assert missing["extensions"]["code"] == "NOT_FOUND"


def test_the_detectors_are_listed_with_their_basis_inputs_and_settings(gql: GraphQLClient) -> None:
    listed = gql.ok("{ detectors { id legalBasis reads settings why draftsViolation } }")[
        "detectors"
    ]
    by_id = {d["id"]: d for d in listed}
    assert by_id.keys() == {d.id for d in DETECTORS}
    assert {"STAFF_CROSSOVER", "GROUP_INSTRUCTION"} <= by_id.keys()
    assert by_id["SAME_DEVICE"]["settings"]["exempt_ip_ranges"] == []
    assert (
        "ART" not in by_id["COBIDDING_COMMUNITY"]["legalBasis"]
        and by_id["COBIDDING_COMMUNITY"]["why"]
    )
    assert by_id["BID_SCREEN"]["draftsViolation"] is None
    assert by_id["SAME_CONTROLLER"]["draftsViolation"] == "INVALID_BID"
    assert by_id["COMMON_CONTROLLER"]["draftsViolation"] is None
    assert by_id["EXPERT_CONFLICT"]["draftsViolation"] == "EXPERT_FAILED_RECUSAL"
    assert by_id["EXPERT_CONFLICT"]["settings"]["lookback_years"] == 3
    assert "REVIEWS" in by_id["EXPERT_CONFLICT"]["reads"]


def test_bid_opening_runs_the_lot_detectors_and_history_patterns_on_request(
    intake: Intake, gql: GraphQLClient
) -> None:
    load(
        intake,
        [
            buyer(),
            *suppliers(1, 2, 3, 4, 5),
            *background(),
            *turns([1, 2, 3, 1, 2], (1, 2, 3), (4, 5)),
        ],
    )
    at_opening = gql.ok(LOT_FLAGS, lot="R2")
    assert at_opening["lotFlags"]["ran"] is True
    assert "BID_ROTATION" not in flags_by_pattern(at_opening)
    with_history = gql.ok(LOT_FLAGS.replace("lotId: $lot", "lotId: $lot, history: true"), lot="R2")
    rotation = flags_by_pattern(with_history)["BID_ROTATION"]
    assert rotation["supplierIds"] == list(orgs(1, 2, 3))
    assert "第七十四条" in rotation["legalBasis"]
