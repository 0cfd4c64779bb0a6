"""The oversight workflows against the graph: reads the facts, calls the pure rules, writes
the results (and publishes inspection plans on the change feed in the same transaction)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from neo4j import ManagedTransaction

from credit.core.store import GraphStore, native
from credit.domain import ids
from credit.domain.records import ComplaintOutcome
from credit.intake.pipeline import Intake, IntakeReport
from credit.oversight import draws, inspections
from credit.oversight.conflicts import KinTie, OrgTie, PersonFacts, Procurement, split
from credit.oversight.deadlines import STEP_FIELDS, CaseDates, CaseError, Deadline, check, deadlines
from credit.standing.service import AssessmentError, load_records
from credit.sync import feed
from credit.sync.exchange import ChangeKind, InspectedTarget, InspectionPlanRecord, Subject
from graph import oversight_queries as q

# --- shared facts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LotParties:
    lot: str
    project: str
    purchaser_uscc: str | None
    agency_uscc: str | None
    procurement: Procurement


def lot_parties(store: GraphStore, lot_uid: str) -> LotParties:
    rows = store.read(q.LOT_PARTIES, lot=lot_uid)
    if not rows:
        raise AssessmentError("lotId", "not_found", f"no lot {lot_uid}")
    row = rows[0]
    return LotParties(
        lot=lot_uid,
        project=row["project"],
        purchaser_uscc=row["purchaser_uscc"],
        agency_uscc=row["agency_uscc"],
        procurement=Procurement(
            bidders=frozenset(row["bidders"]),
            own_units=frozenset(u for u in (row["purchaser"], row["agency"]) if u),
        ),
    )


def person_facts(store: GraphStore, uids: Sequence[str], as_of: date) -> list[PersonFacts]:
    """Ties, kin and credit records of each person, in three queries whatever their number."""
    records = load_records(store, uids)
    facts = []
    for row in store.read(q.PERSON_TIES, uids=list(uids), as_of=as_of):
        ties = tuple(
            OrgTie(
                kind=t["kind"],
                org=t["org"],
                valid_from=native(t)["valid_from"],
                valid_to=native(t)["valid_to"],
                share=Decimal(str(t["share"])) if t["share"] is not None else None,
            )
            for t in row["ties"]
        )
        kin = tuple(KinTie(k["relative"], k["org"]) for k in row["kin"])
        held = records[row["uid"]].records if row["uid"] in records else ()
        facts.append(PersonFacts(row["uid"], ties, kin, held))
    return facts


# --- expert draws ------------------------------------------------------------------------------


REVEALED = ("DRAWN", "REVIEWING")  # the seed is public from the draw on


@dataclass(frozen=True)
class DrawState:
    id: str
    lot: str
    specialties: list[str]
    size: int
    seed_hash: str
    status: str
    document: draws.DrawDocument | None  # once drawn: the seed is revealed


def _draw_state(d: dict[str, Any]) -> DrawState:
    d = native(d)
    document = None
    if d["status"] in REVEALED:
        document = draws.DrawDocument(
            draw_id=d["id"],
            lot_id=d["lot"],
            specialties=list(d["specialties"]),
            size=int(d["size"]),
            as_of=d["as_of"].isoformat(),
            seed_hash=d["seed_hash"],
            seed=d["seed"],
            pool=list(d["pool"]),
            exclusions=json.loads(d["exclusions"]),
            panel=list(d["panel"]),
            declined=list(d["declined"]),
            withdrawals=json.loads(d.get("withdrawals") or "[]"),
            review_as_of=d["review_as_of"].isoformat() if d.get("review_as_of") else None,
        )
    return DrawState(
        d["id"],
        d["lot"],
        list(d["specialties"]),
        int(d["size"]),
        d["seed_hash"],
        d["status"],
        document,
    )


def commit_draw(
    store: GraphStore, lot_uid: str, specialties: Sequence[str], size: int, by: str
) -> DrawState:
    """Fix the request and publish the seed's hash; the seed stays secret until the draw."""
    if not 1 <= size <= 50:
        raise AssessmentError("size", "range", "a panel has 1 to 50 members")
    wanted = sorted({s.strip() for s in specialties if s.strip()})
    if not wanted:
        raise AssessmentError("specialties", "min_items", "name at least one specialty")
    seed = draws.new_seed()
    rows = store.write(
        q.DRAW_COMMIT,
        id=f"draw:{uuid.uuid4().hex}",
        lot=lot_uid,
        specialties=wanted,
        size=size,
        seed=seed,
        seed_hash=draws.commitment(seed),
        by=by,
    )
    if not rows:
        raise AssessmentError("lotId", "not_found", f"no lot {lot_uid}")
    return _draw_state(rows[0]["d"])


def get_draw(store: GraphStore, draw_id: str) -> DrawState:
    rows = store.read(q.DRAW_BY_ID, id=draw_id)
    if not rows:
        raise AssessmentError("drawId", "not_found", f"no draw {draw_id}")
    return _draw_state(rows[0]["d"])


def reveal_draw(store: GraphStore, draw_id: str, as_of: date, by: str) -> DrawState:
    """Record the pool and exclusions as of the draw date, reveal the seed, select the panel."""
    state = get_draw(store, draw_id)
    if state.status != "COMMITTED":
        raise AssessmentError("drawId", "state", f"draw {draw_id} is already {state.status}")
    parties = lot_parties(store, state.lot)
    candidates = [r["uid"] for r in store.read(q.EXPERT_POOL, specialties=state.specialties)]
    pool, excluded = split(person_facts(store, candidates, as_of), parties.procurement, as_of)
    seed = store.read(q.DRAW_BY_ID, id=draw_id)[0]["d"]["seed"]
    rows = store.write(
        q.DRAW_REVEAL,
        id=draw_id,
        as_of=as_of,
        pool=pool,
        exclusions=json.dumps([draws.exclusion_dict(e) for e in excluded], ensure_ascii=False),
        panel=draws.select(seed, pool, state.size),
        by=by,
    )
    if not rows:
        raise AssessmentError("drawId", "state", f"draw {draw_id} changed meanwhile")
    return _draw_state(rows[0]["d"])


def replace_member(store: GraphStore, draw_id: str, expert_uid: str) -> DrawState:
    """An expert declined: the next eligible expert in the same ranking takes the place."""
    state = get_draw(store, draw_id)
    doc = state.document
    if doc is None or expert_uid not in doc.panel:
        raise AssessmentError("expertId", "not_on_panel", f"{expert_uid} is not on the panel")
    declined = [*doc.declined, expert_uid]
    rows = store.write(
        q.DRAW_REPLACE,
        id=draw_id,
        expert=expert_uid,
        panel=draws.select(doc.seed, doc.pool, doc.size, declined),
    )
    if not rows:
        raise AssessmentError("drawId", "state", f"draw {draw_id} changed meanwhile")
    return _draw_state(rows[0]["d"])


def start_review(store: GraphStore, draw_id: str, as_of: date, by: str) -> DrawState:
    """Recusal again at the start of the review, against the bidders the lot actually has:
    members who must withdraw are recorded with the reason and replaced from the ranking."""
    state = get_draw(store, draw_id)
    doc = state.document
    if doc is None or state.status != "DRAWN":
        raise AssessmentError("drawId", "state", f"draw {draw_id} is {state.status}, not DRAWN")
    parties = lot_parties(store, state.lot)
    if not parties.procurement.bidders:
        raise AssessmentError(
            "drawId", "no_bids", f"lot {state.lot} has no bids yet: start the review after opening"
        )
    people = {p.uid: p for p in person_facts(store, doc.pool, as_of)}
    result = draws.recheck_panel(doc, people, parties.procurement, as_of)
    rows = store.write(
        q.DRAW_START_REVIEW,
        id=draw_id,
        before=doc.declined,
        declined=result.declined,
        panel=result.panel,
        withdrawals=json.dumps(
            [draws.exclusion_dict(e) for e in result.withdrawals], ensure_ascii=False
        ),
        as_of=as_of,
        bidders=sorted(parties.procurement.bidders),
        by=by,
    )
    if not rows:
        raise AssessmentError("drawId", "state", f"draw {draw_id} changed meanwhile")
    return _draw_state(rows[0]["d"])


# --- complaints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintStatus:
    uid: str
    complainant: str
    lot: str
    filed_on: date
    grounds: str
    outcome: ComplaintOutcome
    decided_on: date | None
    deadlines: list[Deadline]


def _ingest(intake: Intake, record: dict[str, Any]) -> str:
    report: IntakeReport = intake.run([(1, record)])
    if report.errors:
        e = report.errors[0]
        raise AssessmentError(e.field, e.rule, e.message)
    return report.accepted_uids[1]


def record_complaint(
    intake: Intake, store: GraphStore, record: dict[str, Any], steps: dict[str, Any]
) -> str:
    """File a complaint through the normal intake, then its procedural dates beside it; the
    dates are checked first, so a refused date files nothing."""
    received = date.fromisoformat(str(record["filed_on"]))
    _checked_case(CaseDates(complaint_received_on=received), _step_props(steps))
    uid = _ingest(intake, {"type": "complaint", **record})
    update_steps(store, uid, steps)
    return uid


def _step_props(steps: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in steps.items() if k in STEP_FIELDS and v is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def _checked_case(case: CaseDates, props: dict[str, Any]) -> CaseDates:
    """The case with these step dates, refused (naming the field) if the dates contradict."""
    merged = replace(case, **props)
    try:
        check(merged)
    except CaseError as exc:
        raise AssessmentError(f"steps.{_camel(exc.field)}", exc.rule, str(exc)) from None
    return merged


def update_steps(store: GraphStore, uid: str, steps: dict[str, Any]) -> None:
    """Record procedural dates after checking them against those already recorded."""
    props = _step_props(steps)
    if props:
        _checked_case(_case(store, uid)[1], props)
        store.write(q.COMPLAINT_CASE_SET, complaint=uid, props=props)


def _case(store: GraphStore, uid: str) -> tuple[dict[str, Any], CaseDates]:
    rows = store.read(q.COMPLAINT_CASE, complaint=uid)
    if not rows:
        raise AssessmentError("id", "not_found", f"no complaint {uid}")
    c, steps = native(rows[0]["complaint"]), native(rows[0]["steps"] or {})
    outcome = ComplaintOutcome(c["outcome"])
    decided = c.get("decided_on") if outcome is not ComplaintOutcome.PENDING else None
    known = {k: steps[k] for k in STEP_FIELDS if steps.get(k) is not None}
    if "suspended_working_days" in known:
        known["suspended_working_days"] = int(known["suspended_working_days"])
    case = CaseDates(complaint_received_on=c["filed_on"], decided_on=decided, **known)
    row = {**rows[0], "complaint": c, "outcome": outcome}
    return row, case


def complaint_status(store: GraphStore, uid: str, as_of: date) -> ComplaintStatus:
    row, case = _case(store, uid)
    c = row["complaint"]
    return ComplaintStatus(
        uid=uid,
        complainant=row["complainant"],
        lot=row["lot"],
        filed_on=c["filed_on"],
        grounds=c["grounds"],
        outcome=row["outcome"],
        decided_on=case.decided_on,
        deadlines=deadlines(case, as_of),
    )


def decide_complaint(
    intake: Intake, store: GraphStore, uid: str, outcome: ComplaintOutcome, decided_on: date
) -> ComplaintStatus:
    """Record the decision as a new version of the complaint record, so credit sees it."""
    if outcome is ComplaintOutcome.PENDING:
        raise AssessmentError("outcome", "decided", "a decision is not PENDING")
    current = complaint_status(store, uid, decided_on)
    node = store.node(uid)
    assert node is not None
    _ingest(
        intake,
        {
            "type": "complaint",
            "id": node.props["key"],
            "complainant": current.complainant,
            "lot": ids.key("lot", current.lot),
            "filed_on": current.filed_on.isoformat(),
            "grounds": current.grounds,
            "outcome": outcome.value,
            "decided_on": decided_on.isoformat(),
            "source": node.props.get("source", "local"),
            "version": int(node.props.get("version", 1)) + 1,
        },
    )
    return complaint_status(store, uid, decided_on)


def open_complaints(store: GraphStore, as_of: date, limit: int) -> list[ComplaintStatus]:
    rows = store.read(q.OPEN_COMPLAINTS, after="", limit=limit)
    return [complaint_status(store, r["uid"], as_of) for r in rows]


# --- ratings ---------------------------------------------------------------------------------


def project_parties(store: GraphStore, project_uid: str) -> tuple[str | None, str | None]:
    """(purchaser USCC, agency USCC) of a project."""
    rows = store.read(q.PROJECT_PARTIES, project=project_uid)
    if not rows:
        raise AssessmentError("projectId", "not_found", f"no project {project_uid}")
    return rows[0]["purchaser_uscc"], rows[0]["agency_uscc"]


def expert_reviewed(store: GraphStore, expert_uid: str, project_uid: str) -> bool:
    rows = store.read(q.EXPERT_REVIEWED_PROJECT, expert=expert_uid, project=project_uid)
    return bool(rows and rows[0]["reviewed"])


def rate(
    intake: Intake,
    subject: dict[str, Any],
    subject_uid: str,
    rater: str,
    project_key: str,
    score: int,
    rated_on: date,
    comment: str | None,
) -> str:
    """One rating per (project, subject, rater); rating again replaces it."""
    digest = hashlib.sha256(f"{project_key}|{subject_uid}|{rater}".encode()).hexdigest()[:24]
    record = {
        "type": "evaluation",
        "id": f"rating.{digest}",
        "subject": subject,
        "rater": rater,
        "project": project_key,
        "score": score,
        "rated_on": rated_on.isoformat(),
        "comment": comment,
    }
    return _ingest(intake, {k: v for k, v in record.items() if v is not None})


# --- inspections -----------------------------------------------------------------------------


def candidates(store: GraphStore) -> list[inspections.Candidate]:
    return [
        inspections.Candidate(
            uid=r["uid"],
            kind=r["kind"],
            grade=r["grade"],
            open_flags=int(r["open_flags"]),
            confirmed_flags=int(r["confirmed_flags"]),
            complaints=int(r["complaints"]),
            last_inspected=native(r)["last_inspected"],
        )
        for r in store.read(q.INSPECTION_CANDIDATES)
    ]


def _plan_record(tx: ManagedTransaction, plan_id: str) -> InspectionPlanRecord:
    row = tx.run(q.PLAN_BY_ID, id=plan_id).single()
    assert row is not None
    plan = native(row["plan"])
    targets = [
        InspectedTarget(
            inspection_id=i["id"],
            subject=Subject(name=str(i.get("name") or ""), uscc=i.get("uscc"), kind="organization"),
            kind=i["kind"],
            weight=i["weight"],
            forced=i["forced"],
            inspectors=list(i["inspectors"]),
            status=i["status"],
            result=i.get("result"),
            findings=i.get("findings"),
            completed_on=i.get("completed_on"),
        )
        for i in sorted((native(x) for x in row["inspections"]), key=lambda x: x["id"])
    ]
    return InspectionPlanRecord(
        plan_id=plan_id,
        as_of=plan["as_of"],
        seed=plan["seed"],
        algorithm=plan["algorithm"],
        targets=targets,
    )


def _publish(tx: ManagedTransaction, kind: ChangeKind, plan_id: str, subject: str | None) -> None:
    record = _plan_record(tx, plan_id)
    payload = record.model_dump(mode="json")
    feed.append(tx, [feed.Event(kind, plan_id, subject, payload)])


def create_plan(
    store: GraphStore,
    as_of: date,
    inspector_uids: Sequence[str],
    rules: inspections.PlanRules,
    by: str,
    seed: str | None = None,
) -> InspectionPlanRecord:
    """Draw a plan from the graph's current risk signals and publish it with its seed."""
    seed = seed or draws.new_seed()
    people = person_facts(store, inspector_uids, as_of)
    missing = set(inspector_uids) - {p.uid for p in people}
    if missing:
        raise AssessmentError("inspectorIds", "not_found", f"unknown: {sorted(missing)}")
    found = candidates(store)
    plan = inspections.make_plan(seed, as_of, found, people, rules)
    plan_id = f"plan:{uuid.uuid4().hex}"
    inputs = json.dumps(
        {
            "candidates": [
                {**vars(c), "last_inspected": c.last_inspected and c.last_inspected.isoformat()}
                for c in found
            ],
            "inspectors": sorted(inspector_uids),
        },
        sort_keys=True,
    )
    targets = [
        {
            "id": f"inspection:{uuid.uuid4().hex}",
            "target": t.uid,
            "kind": t.kind,
            "weight": str(t.weight),
            "forced": t.forced,
            "inspectors": list(t.inspectors),
            "exclusions": json.dumps([draws.exclusion_dict(e) for e in t.excluded_inspectors]),
        }
        for t in plan.targets
    ]

    def work(tx: ManagedTransaction) -> InspectionPlanRecord:
        tx.run(
            q.PLAN_CREATE,
            id=plan_id,
            as_of=as_of,
            seed=seed,
            algorithm=inspections.ALGORITHM,
            inputs=inputs,
            by=by,
            targets=targets,
        ).consume()
        _publish(tx, "INSPECTION_PLAN_PUBLISHED", plan_id, None)
        return _plan_record(tx, plan_id)

    return store.transaction(work)


def record_result(
    store: GraphStore, inspection_id: str, result: str, findings: str | None, on: date, by: str
) -> InspectionPlanRecord:
    def work(tx: ManagedTransaction) -> InspectionPlanRecord:
        row = tx.run(
            q.INSPECTION_RESULT,
            id=inspection_id,
            result=result,
            findings=findings,
            completed_on=on,
            by=by,
        ).single()
        if row is None:
            raise AssessmentError("id", "state", f"no planned inspection {inspection_id}")
        _publish(tx, "INSPECTION_RESULT_PUBLISHED", row["plan"], inspection_id)
        return _plan_record(tx, row["plan"])

    return store.transaction(work)


def plan_record(store: GraphStore, plan_id: str) -> InspectionPlanRecord:
    with store.driver.session(database=store.database) as session:
        return session.execute_read(lambda tx: _plan_record_or_missing(tx, plan_id))


def _plan_record_or_missing(tx: ManagedTransaction, plan_id: str) -> InspectionPlanRecord:
    if tx.run(q.PLAN_BY_ID, id=plan_id).single() is None:
        raise AssessmentError("id", "not_found", f"no plan {plan_id}")
    return _plan_record(tx, plan_id)


def lot_uid(lot_id: str) -> str:
    return ids.uid("lot", lot_id)
