"""Oversight end to end over HTTP against a real Neo4j: a verifiable expert draw, complaints
and ratings feeding credit, and a published inspection plan."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.intake.pipeline import Intake
from credit.oversight import draws
from credit.security.permissions import Role
from credit.sync import feed
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

TODAY = date.today().isoformat()
PURCHASER, AGENCY, SUP_A, SUP_B = f.make_uscc(1), f.make_uscc(2), f.make_uscc(3), f.make_uscc(4)
EXPERTS = range(10, 17)


def _expert(n: int, **over: Any) -> dict[str, Any]:
    return f.person(n, expert={"specialties": ["IT"], **over})


def _market(intake: Intake) -> None:
    idn = f.make_id_number
    report = ingest(
        intake,
        [
            f.organization(1, roles=["PURCHASER"]),
            f.organization(2, roles=["AGENCY"]),
            f.organization(3),
            f.organization(4),
            f.project("P1", 1, agency=AGENCY),
            f.lot("L1", "P1"),
            f.bid("B3", "L1", 3, "100.00"),
            f.bid("B4", "L1", 4, "110.00"),
            *[_expert(n) for n in EXPERTS if n != 14],
            _expert(14, employer=PURCHASER),
            f.person(20),
            f.tie(
                "EMPLOYED_BY",
                {"person": idn(11)},
                {"org": SUP_A},
                valid_from="2020-01-01",
                valid_to="2024-12-31",
            ),
            f.tie("LEGAL_REP_OF", {"person": idn(20)}, {"org": SUP_B}),
            f.tie("RELATIVE_OF", {"person": idn(13)}, {"person": idn(20)}, kinship="SIBLING"),
            f.violation(
                "V12",
                {"person": idn(12)},
                category="EXPERT_IRREGULAR_REVIEW",
                penalty_types=["REVIEW_BAN"],
                fine=None,
                ban_start="2025-01-10",
                ban_end="2030-01-09",
            ),
            {"type": "review", "id": "R10", "expert": idn(10), "lot": "L1", "reviewed_on": TODAY},
        ],
    )
    assert report.errors == [], report.errors


DRAW = """
fragment D on ExpertDraw { id status seedHash seed pool panel declined document reviewAsOf
  exclusions { personId code legalBasis detail } withdrawals { personId code legalBasis refs } }
"""


def test_an_agency_draws_a_verifiable_panel_without_conflicted_experts(
    intake: Intake, client_as: Callable[..., GraphQLClient]
) -> None:
    _market(intake)
    uid = get_mapper().person_uid_for
    conflicted = {uid(f.make_id_number(n)) for n in (11, 12, 13, 14)}
    agency = client_as(Role.AGENCY, org=AGENCY)
    committed = agency.ok(
        DRAW + 'mutation { commitDraw(lotId: "L1", specialties: ["IT"], size: 2) { ...D } }'
    )["commitDraw"]
    assert committed["status"] == "COMMITTED"
    assert committed["seed"] is None and committed["panel"] == []
    assert len(committed["seedHash"]) == 64

    stranger = client_as(Role.AGENCY, org=f.make_uscc(9))
    refused = stranger.error(
        "mutation($id: ID!) { drawPanel(drawId: $id) { id } }", id=committed["id"]
    )
    assert refused["extensions"]["rule"] == "not_yours"

    drawn = agency.ok(
        DRAW + "mutation($id: ID!) { drawPanel(drawId: $id) { ...D } }", id=committed["id"]
    )["drawPanel"]
    assert hashlib.sha256(drawn["seed"].encode()).hexdigest() == committed["seedHash"]
    assert len(drawn["panel"]) == 2
    assert not set(drawn["panel"]) & conflicted
    assert set(drawn["pool"]) == {uid(f.make_id_number(n)) for n in (10, 15, 16)}
    assert {e["code"] for e in drawn["exclusions"]} == {
        "EMPLOYED_BY_BIDDER",
        "REVIEW_BAN",
        "BAD_BEHAVIOUR_RECORD",  # V12 is expert misconduct (Caiku [2016] No. 198 Art. 29)
        "RELATIVE_OF_BIDDER_REP",
        "OWN_UNIT",
    }
    assert {e["personId"] for e in drawn["exclusions"]} == conflicted
    assert all(e["legalBasis"] for e in drawn["exclusions"])
    assert draws.verify(draws.DrawDocument.from_json(drawn["document"])) == []

    replaced = agency.ok(
        DRAW + "mutation($id: ID!, $e: ID!) { replaceDrawnExpert(drawId: $id, expertId: $e) "
        "{ ...D } }",
        id=committed["id"],
        e=drawn["panel"][0],
    )["replaceDrawnExpert"]
    assert replaced["declined"] == [drawn["panel"][0]]
    assert drawn["panel"][1] in replaced["panel"] and drawn["panel"][0] not in replaced["panel"]
    assert draws.verify(draws.DrawDocument.from_json(replaced["document"])) == []


def _drawn(agency: GraphQLClient, size: int) -> dict[str, Any]:
    committed = agency.ok(
        DRAW + 'mutation($s: Int!) { commitDraw(lotId: "L1", specialties: ["IT"], size: $s) '
        "{ ...D } }",
        s=size,
    )["commitDraw"]
    drawn: dict[str, Any] = agency.ok(
        DRAW + "mutation($id: ID!) { drawPanel(drawId: $id) { ...D } }", id=committed["id"]
    )["drawPanel"]
    return drawn


def test_open_ended_review_bans_and_bad_behaviour_records_keep_experts_out(
    intake: Intake, client_as: Callable[..., GraphQLClient]
) -> None:
    _market(intake)
    idn, uid = f.make_id_number, get_mapper().person_uid_for
    report = ingest(
        intake,
        [
            _expert(17),
            _expert(18),
            f.violation(  # Regs Art. 75 sets no term: banned from the decision until lifted
                "V17",
                {"person": idn(17)},
                category="OTHER",
                penalty_types=["REVIEW_BAN"],
                fine=None,
                decided_on="2024-01-10",
                ban_start=None,
                ban_end=None,
            ),
            f.violation(  # a warning only, but a bad-behaviour record all the same
                "V18",
                {"person": idn(18)},
                category="EXPERT_FAILED_RECUSAL",
                severity="GENERAL",
                penalty_types=["WARNING"],
                fine=None,
                ban_start=None,
                ban_end=None,
                decided_on="2024-05-06",
            ),
        ],
    )
    assert report.errors == [], report.errors
    drawn = _drawn(client_as(Role.AGENCY, org=AGENCY), 2)
    assert all(e["detail"] is None for e in drawn["exclusions"])  # why: supervisors only
    drawn = client_as(Role.SUPERVISOR).ok(
        DRAW + "query($id: ID!) { expertDraw(id: $id) { ...D } }", id=drawn["id"]
    )["expertDraw"]
    reasons = {(e["personId"], e["code"]): e for e in drawn["exclusions"]}
    ban = reasons[(uid(idn(17)), "REVIEW_BAN")]
    assert "until lifted" in ban["detail"] and "第七十五条" in ban["legalBasis"]
    record = reasons[(uid(idn(18)), "BAD_BEHAVIOUR_RECORD")]
    assert "第二十九条" in record["legalBasis"] and "item 3" in record["detail"]
    assert not {uid(idn(17)), uid(idn(18))} & set(drawn["pool"])


def test_recusal_is_checked_again_against_the_actual_bidders_at_the_start_of_the_review(
    intake: Intake, client_as: Callable[..., GraphQLClient]
) -> None:
    _market(intake)
    idn, uid = f.make_id_number, get_mapper().person_uid_for
    agency = client_as(Role.AGENCY, org=AGENCY)
    drawn = _drawn(agency, 2)
    assert drawn["status"] == "DRAWN" and drawn["withdrawals"] == []
    member = drawn["panel"][0]
    n = next(n for n in (10, 15, 16) if uid(idn(n)) == member)
    # a bid arrives from a supplier the drawn expert worked for until last year
    late = ingest(
        intake,
        [
            f.organization(5),
            f.bid("B5", "L1", 5, "105.00"),
            f.tie(
                "EMPLOYED_BY",
                {"person": idn(n)},
                {"org": f.make_uscc(5)},
                valid_from="2019-01-01",
                valid_to=f"{date.today().year - 1}-12-31",
            ),
        ],
    )
    assert late.errors == [], late.errors
    start = DRAW + "mutation($id: ID!) { startReview(drawId: $id) { ...D } }"
    stranger = client_as(Role.AGENCY, org=f.make_uscc(9))
    assert stranger.error(start, id=drawn["id"])["extensions"]["rule"] == "not_yours"
    started = agency.ok(start, id=drawn["id"])["startReview"]
    assert started["status"] == "REVIEWING" and started["reviewAsOf"] == TODAY
    (withdrawn,) = started["withdrawals"]
    assert withdrawn["personId"] == member and withdrawn["code"] == "EMPLOYED_BY_BIDDER"
    assert "第九条第一款第（一）项" in withdrawn["legalBasis"]
    assert withdrawn["refs"] == [f"org:{f.make_uscc(5)}"]
    assert started["declined"] == [member]
    assert started["panel"] == [drawn["panel"][1], *(set(drawn["pool"]) - set(drawn["panel"]))]
    assert draws.verify(draws.DrawDocument.from_json(started["document"])) == []
    again = agency.error(start, id=drawn["id"])
    assert again["extensions"]["rule"] == "state"


PROFILE = (
    "query($id: ID!, $asOf: Date) { creditProfile(id: $id, asOf: $asOf) "
    "{ score explanation { recordId points } } }"
)


def _score(client: GraphQLClient, subject: str) -> str:
    # as of the day the test records things on (creditProfile's own default is today in China)
    return str(client.ok(PROFILE, id=subject, asOf=TODAY)["creditProfile"]["score"])


def test_ratings_and_complaint_outcomes_change_scores_as_the_policy_says(
    intake: Intake, client_as: Callable[..., GraphQLClient], gql: GraphQLClient
) -> None:
    _market(intake)
    purchaser = client_as(Role.PURCHASER, org=PURCHASER)
    rate = 'mutation($s: Int!) { rateAgency(projectId: "P1", score: $s, ratedOn: "%s") { id } }'
    purchaser.ok(rate % TODAY, s=95)
    assert _score(gql, f"org:{AGENCY}") == "101.00"  # agency.evaluations.good = 1
    purchaser.ok(rate % TODAY, s=40)  # rating again replaces the rating
    assert _score(gql, f"org:{AGENCY}") == "95.00"  # agency.evaluations.poor = -5

    expert = get_mapper().person_uid_for(f.make_id_number(10))
    agency = client_as(Role.AGENCY, org=AGENCY)
    agency.ok(
        'mutation($n: String!) { rateExpert(projectId: "P1", expertIdNumber: $n, score: 50, '
        f'ratedOn: "{TODAY}") {{ id }} }}',
        n=f.make_id_number(10),
    )
    assert _score(gql, expert) == "95.00"  # expert.evaluations.poor = -5
    not_reviewer = agency.error(
        'mutation($n: String!) { rateExpert(projectId: "P1", expertIdNumber: $n, score: 90, '
        f'ratedOn: "{TODAY}") {{ id }} }}',
        n=f.make_id_number(15),
    )
    assert not_reviewer["extensions"]["rule"] == "not_a_reviewer"

    record = (
        "mutation($i: ComplaintInput!) { recordComplaint(input: $i) { id outcome overdue "
        "deadlines { step due state article } } }"
    )
    for cid, uscc in (("C1", SUP_A), ("C2", SUP_B)):
        filed = gql.ok(
            record,
            i={
                "id": cid,
                "complainantUscc": uscc,
                "lotId": "L1",
                "filedOn": TODAY,
                "grounds": "评审标准违法",
            },
        )["recordComplaint"]
        assert filed["outcome"] == "PENDING"
    steps = {d["step"]: d for d in filed["deadlines"]}
    assert steps["DECISION"]["state"] == "DUE" and "第二十六条" in steps["DECISION"]["article"]
    decide = (
        "mutation($id: ID!, $o: ComplaintOutcome!) { decideComplaint(id: $id, outcome: $o, "
        f'decidedOn: "{TODAY}") {{ outcome decidedOn }} }}'
    )
    assert gql.ok(decide, id="C1", o="FALSE_OR_MALICIOUS")["decideComplaint"]["decidedOn"]
    gql.ok(decide, id="C2", o="UPHELD")
    assert _score(gql, f"org:{SUP_A}") == "90.00"  # supplier.complaints.false_or_malicious
    assert _score(gql, f"org:{SUP_B}") == "100.00"  # an upheld complaint costs nothing
    opened = gql.ok("{ openComplaints { id } }")["openComplaints"]
    assert opened == []


def test_an_inspection_plan_and_its_results_are_published_on_the_change_feed(
    intake: Intake, gql: GraphQLClient, store: GraphStore
) -> None:
    _market(intake)
    uid = get_mapper().person_uid_for
    inspectors = [uid(f.make_id_number(n)) for n in (15, 16, 11)]
    plan = gql.ok(
        "mutation($i: [ID!]!) { createInspectionPlan(inspectorIds: $i) { id seed algorithm "
        "targets { inspectionId uscc kind forced inspectors status } } }",
        i=inspectors,
    )["createInspectionPlan"]
    agency = next(t for t in plan["targets"] if t["uscc"] == AGENCY)
    assert agency["forced"] and agency["status"] == "PLANNED"
    supplier_a = [t for t in plan["targets"] if t["uscc"] == SUP_A]
    assert all(uid(f.make_id_number(11)) not in t["inspectors"] for t in supplier_a)
    gql.ok(
        'mutation($i: ID!) { recordInspectionResult(inspectionId: $i, result: "NO_FINDINGS", '
        f'completedOn: "{TODAY}") {{ id }} }}',
        i=agency["inspectionId"],
    )
    items = [i for i in feed.read(store, 0, 100).items if i.kind.startswith("INSPECTION")]
    kinds = [i.kind for i in items]
    assert kinds == ["INSPECTION_PLAN_PUBLISHED", "INSPECTION_RESULT_PUBLISHED"]
    published = json.loads(items[1].model_dump_json())["record"]
    assert published["seed"] == plan["seed"]
    done = next(t for t in published["targets"] if t["inspection_id"] == agency["inspectionId"])
    assert done["status"] == "COMPLETED" and done["result"] == "NO_FINDINGS"


CASE = "{ id overdue deadlines { step due state article days unit legalTextIds doneOn } }"


def test_complaint_steps_are_counted_by_order_94_and_contradictions_are_refused(
    intake: Intake, gql: GraphQLClient
) -> None:
    _market(intake)
    received = "2025-12-01"  # Monday; November-December 2025 has no holiday
    filed = gql.ok(
        "mutation($i: ComplaintInput!) { recordComplaint(input: $i) " + CASE + " }",
        i={
            "id": "C9",
            "complainantUscc": SUP_A,
            "lotId": "L1",
            "filedOn": received,
            "grounds": "评审专家未回避",
            "steps": {
                "rightsKnownOn": "2025-11-03",
                "challengeSentOn": "2025-11-12",
                "challengeReceivedOn": "2025-11-12",
                "challengeRepliedOn": "2025-11-21",
            },
        },
    )["recordComplaint"]
    steps = {d["step"]: d for d in filed["deadlines"]}
    assert steps["CHALLENGE_FILING"]["due"] == "2025-11-12"
    assert steps["CHALLENGE_FILING"]["state"] == "DONE"  # sent on its last day
    assert steps["CHALLENGE_REPLY"]["state"] == "DONE"  # replied on its last day
    notice = steps["RESPONDENT_NOTICE"]
    assert notice["due"] == "2025-12-11" and notice["days"] == 8
    assert "第二十一条第（四）项" in notice["article"] and notice["legalTextIds"] == [
        "ORDER94-21-4"
    ]
    assert steps["PROCUREMENT_SUSPENSION"]["unit"] == "DAYS"

    update = (
        'mutation($s: ComplaintStepsInput!, $d: Date) { updateComplaintSteps(id: "C9", '
        "steps: $s, asOf: $d) " + CASE + " }"
    )
    on_due = gql.ok(update, s={"noticeSentOn": "2025-12-03"}, d="2025-12-11")
    steps = {d["step"]: d for d in on_due["updateComplaintSteps"]["deadlines"]}
    assert steps["RESPONDENT_NOTICE"]["state"] == "DONE"
    assert steps["RESPONDENT_REPLY"]["state"] == "NOT_YET"
    checked = gql.ok(update, s={"noticeReceivedOn": "2025-12-11"}, d="2025-12-18")
    steps = {d["step"]: d for d in checked["updateComplaintSteps"]["deadlines"]}
    assert steps["RESPONDENT_REPLY"]["due"] == "2025-12-18"
    assert steps["RESPONDENT_REPLY"]["state"] == "DUE"  # checked on its due day
    later = gql.ok(update, s={}, d="2025-12-19")["updateComplaintSteps"]
    steps = {d["step"]: d for d in later["deadlines"]}
    assert steps["RESPONDENT_REPLY"]["state"] == "OVERDUE" and later["overdue"]

    refused = gql.error(update, s={"respondentRepliedOn": "2025-12-10"}, d="2025-12-19")
    assert refused["extensions"]["field"] == "steps.respondentRepliedOn"
    assert refused["extensions"]["rule"] == "order"
    kept = gql.ok('{ complaint(id: "C9") ' + CASE + " }")["complaint"]
    reply = next(d for d in kept["deadlines"] if d["step"] == "RESPONDENT_REPLY")
    assert reply["doneOn"] is None  # nothing written

    bad = gql.error(
        "mutation($i: ComplaintInput!) { recordComplaint(input: $i) { id } }",
        i={
            "id": "C10",
            "complainantUscc": SUP_B,
            "lotId": "L1",
            "filedOn": received,
            "grounds": "评审标准违法",
            "steps": {"procurementResumedOn": "2025-12-05"},
        },
    )
    assert bad["extensions"]["field"] == "steps.procurementResumedOn"
    missing = gql.error('{ complaint(id: "C10") { id } }')
    assert missing["extensions"]["code"] == "NOT_FOUND"
