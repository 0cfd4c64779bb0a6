"""From the graph to decisions: gathers the facts the pure rules need (a bounded number of
queries, whatever the number of bidders), applies them, and files immutable check records.

A check record holds the inputs, the as-of date (and where it came from), the known-at instant
if one was given, the result with reasons, the policy version in force on the as-of date, who
asked and when, SHA-256 and SM3 hashes over a canonical serialisation of all of it, an SM2
signature over it and its index in an append-only Merkle log (credit/checks); reading it back
recomputes the hashes and the signature, so an altered record shows as unverified.

`as_of` is the legal state on a day from everything known now; `known_at` narrows it to what had
been received and recorded by an instant (to reproduce a past answer). A check for a lot without
a date is as of the lot's bid deadline (Caiku [2016] No. 125); otherwise today in China.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from neo4j import ManagedTransaction

from credit.checks import log as check_log
from credit.checks import signing
from credit.core.store import GraphStore, InTransaction, day_of, native
from credit.detection.facts import Tie
from credit.domain import periods
from credit.domain.errors import DomainError
from credit.domain.records import PenaltyType, RecordStatus, Severity
from credit.legal import text
from credit.policy import Policy, SubjectType
from credit.standing.agency import assess_agency
from credit.standing.eligibility import (
    Decision,
    Eligibility,
    NetworkLink,
    Reason,
    SupplierFacts,
    assess_supplier,
    name_match_reasons,
    with_reasons,
)
from credit.standing.participation import Bidder, Conflict, conflicts, reasons_for
from credit.standing.scoring import CreditRecord, Score, canonical_json, compute_score
from credit.sync import feed, matching
from graph import check_queries as check_q
from graph import credit_queries as credit_q
from graph import participation_queries as participation_q


class AssessmentError(DomainError):
    """A check or a score that cannot be answered as asked."""


# --- graph nodes to credit records -----------------------------------------------------------


def _day(value: Any) -> date:
    day = day_of(value)
    assert day is not None, "a credit record always has its decision day"
    return day


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _record(kind: str, p: dict[str, Any]) -> CreditRecord | None:
    """A credit record from its fields as the records queries give them (dates as ISO text)."""
    common: dict[str, Any] = {"id": p["uid"], "received_at": _instant(p.get("received_at"))}
    if kind == "violation":
        return CreditRecord(
            kind="violation",
            category=p["category"],
            decided_on=_day(p["decided_on"]),
            severity=Severity(p["severity"]),
            penalty_types=tuple(PenaltyType(x) for x in p.get("penalty_types") or ()),
            fine_amount=Decimal(p["fine_exact"]) if p.get("fine_exact") else None,
            fine_currency=p.get("fine_currency"),
            ban_start=day_of(p.get("ban_start")),
            ban_end=day_of(p.get("ban_end")),
            publication_end=day_of(p.get("publication_end")),
            status=RecordStatus(p.get("status") or "ACTIVE"),
            status_date=day_of(p.get("status_date")),
            status_recorded_at=_instant(p.get("status_recorded_at")),
            suspended_on=day_of(p.get("suspended_on")),
            suspension_lifted_on=day_of(p.get("suspension_lifted_on")),
            basis=p.get("basis") or "",
            decision_number=p.get("decision_number") or "",
            authority=p.get("authority") or "",
            **common,
        )
    if kind == "listing":
        return CreditRecord(
            kind="listing",
            category=p["list"],
            decided_on=_day(p["listed_on"]),
            valid_until=day_of(p.get("valid_until")),
            retracted_on=day_of(p.get("retracted_on")),
            status_recorded_at=_instant(p.get("status_recorded_at")),
            decision_number=p.get("reference") or "",
            authority=p.get("authority") or "",
            **common,
        )
    if kind == "contract":
        outcome = {"PASSED": "CONTRACT_ACCEPTED", "FAILED": "CONTRACT_FAILED"}.get(p["acceptance"])
        if outcome is None:
            return None  # acceptance pending: nothing to credit yet
        decided = day_of(p.get("accepted_on")) or day_of(p["signed_on"])
        assert decided is not None
        return CreditRecord(kind="contract", category=outcome, decided_on=decided, **common)
    if kind == "evaluation":
        return CreditRecord(
            kind="evaluation",
            category="EVALUATION",
            decided_on=_day(p["rated_on"]),
            score=int(p["score"]),
            **common,
        )
    decided = day_of(p.get("decided_on")) or day_of(p["filed_on"])
    assert decided is not None
    return CreditRecord(
        kind="complaint",
        category=p["outcome"],
        decided_on=decided,
        decision_number=p.get("decision_number") or "",
        **common,
    )


_KINDS = ("violations", "listings", "contracts", "evaluations", "complaints")


def _records(row: Any) -> tuple[CreditRecord, ...]:
    found = [
        rec
        for column in _KINDS
        for props in row[column]
        if (rec := _record(column[:-1], props)) is not None
    ]
    return tuple(sorted(found, key=lambda r: r.id))


def subject_type(labels: Iterable[str]) -> SubjectType | None:
    names = set(labels)
    if "Supplier" in names:
        return "supplier"
    if "Agency" in names:
        return "agency"
    if "Expert" in names:
        return "expert"
    return None


@dataclass(frozen=True)
class SubjectRecords:
    uid: str
    name: str
    uscc: str | None
    subject_type: SubjectType | None
    records: tuple[CreditRecord, ...]


def load_records(store: GraphStore, uids: Sequence[str]) -> dict[str, SubjectRecords]:
    rows = store.read(credit_q.SUBJECT_RECORDS, uids=list(dict.fromkeys(uids)))
    return {
        row["uid"]: SubjectRecords(
            uid=row["uid"],
            name=str(row["subject"].get("name") or row["uid"]),
            uscc=row["subject"].get("uscc"),
            subject_type=subject_type(row["labels"]),
            records=_records(row),
        )
        for row in rows
    }


def load_network(
    store: GraphStore, uids: Sequence[str], as_of: date
) -> dict[str, list[NetworkLink]]:
    links: dict[str, list[NetworkLink]] = defaultdict(list)
    for row in store.read(credit_q.SUBJECT_NETWORK, uids=list(dict.fromkeys(uids)), as_of=as_of):
        links[row["uid"]].append(_link(row))
    return links


def _link(row: Any) -> NetworkLink:
    others = tuple(
        r for props in row["violations"] if (r := _record("violation", props)) is not None
    )
    return NetworkLink(
        kind=row["kind"],
        other_id=row["other"],
        other_name=str(row["other_name"]),
        via_id=row["via"],
        other_records=others,
    )


def supplier_facts(
    store: GraphStore, uids: Sequence[str], as_of: date, members: dict[str, list[str]]
) -> dict[str, SupplierFacts]:
    """Facts for suppliers and their consortium members, records and network, in one query."""
    everyone = list(dict.fromkeys([*uids, *(m for ms in members.values() for m in ms)]))
    rows = {
        row["uid"]: row for row in store.read(credit_q.SUPPLIER_FACTS, uids=everyone, as_of=as_of)
    }

    def facts(uid: str, with_members: bool) -> SupplierFacts:
        row = rows[uid]
        links = sorted(map(_link, row["network"]), key=lambda n: (n.other_id, n.kind, n.via_id))
        return SupplierFacts(
            id=uid,
            uscc=row["subject"].get("uscc") or "",
            name=str(row["subject"].get("name") or uid),
            records=_records(row),
            consortium_members=tuple(
                facts(m, False) for m in members.get(uid, []) if m != uid and with_members
            ),
            network=tuple(links),
        )

    return {uid: facts(uid, True) for uid in uids if uid in rows}


# --- check records -------------------------------------------------------------------------


def _content_hash(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True)
class CheckRecord:
    id: str
    kind: str
    content: str  # canonical JSON: inputs, as-of, result, policy version, requester, time
    content_hash: str
    requested_by: str
    requested_at: str
    # The signature (credit/checks): SM2 over SM3 of the content, by the key `key_id`, and the
    # record's place in the append-only Merkle log. None on records filed before signing.
    content_sm3: str | None = None
    signature: str | None = None
    key_id: str | None = None
    algorithm: str | None = None
    log_index: int | None = None
    public_key: str | None = None  # the signing key's, read with the record for verification

    @property
    def body(self) -> dict[str, Any]:
        try:
            loaded: dict[str, Any] = json.loads(self.content)
        except json.JSONDecodeError:
            return {"unreadable": "the stored content is not valid JSON"}
        return loaded

    @property
    def signature_verified(self) -> bool | None:
        """Whether the signature holds over the stored content (None: filed unsigned)."""
        if self.signature is None:
            return None
        return signing.verify(
            self.algorithm or "", self.public_key or "", self.content.encode(), self.signature
        )

    @property
    def verified(self) -> bool:
        """Content matches its hashes and, for a signed record, its signature: recomputing a
        hash after an edit does not make an altered record verify."""
        data = self.content.encode()
        if _content_hash(self.content) != self.content_hash:
            return False
        if self.signature is None:
            return True
        return signing.sm3_hex(data) == self.content_sm3 and bool(self.signature_verified)


def _file(
    store: GraphStore,
    kind: str,
    inputs: dict[str, Any],
    result: Any,
    policy: Policy,
    requested_by: str,
    subjects: list[str],
    decision: str,
) -> CheckRecord:
    requested_at = datetime.now(UTC).isoformat()
    record_id = f"check:{uuid.uuid4().hex}"
    content = canonical_json(
        {
            "id": record_id,
            "kind": kind,
            "inputs": inputs,
            "result": result,
            "policy_version": policy.version,
            "requested_by": requested_by,
            "requested_at": requested_at,
        }
    )
    signer = signing.get_signer()
    filed = check_log.file_record(
        store,
        signer,
        content,
        {
            "id": record_id,
            "kind": kind,
            "requested_by": requested_by,
            "requested_at": requested_at,
            "subjects": subjects,
            "decision": decision,
        },
    )
    return CheckRecord(
        record_id,
        kind,
        content,
        filed.content_hash,
        requested_by,
        requested_at,
        filed.content_sm3,
        filed.signature,
        filed.key_id,
        filed.algorithm,
        filed.log_index,
        signer.public_key.hex(),
    )


def read_check_record(store: GraphStore, record_id: str) -> CheckRecord | None:
    rows = store.read(check_q.CHECK_RECORD_WITH_KEY, id=record_id)
    if not rows:
        return None
    c = rows[0]["c"]
    return CheckRecord(
        c["id"],
        c["kind"],
        c["content"],
        c["content_hash"],
        c["requested_by"],
        c["requested_at"],
        c.get("content_sm3"),
        c.get("signature"),
        c.get("key_id"),
        c.get("algorithm"),
        c.get("log_index"),
        rows[0]["public_key"],
    )


# --- the checks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierCheck:
    record: CheckRecord
    eligibility: Eligibility


@dataclass(frozen=True)
class LotCheck:
    record: CheckRecord
    lot_id: str
    as_of: date
    bidders: tuple[Eligibility, ...]
    conflicts: tuple[Conflict, ...]

    @property
    def decision(self) -> Decision:
        return lot_decision(self.bidders, self.conflicts)


def lot_decision(bidders: Sequence[Eligibility], conflicts: Sequence[Conflict]) -> Decision:
    """The lot's summary: an ineligible bidder outranks an Art. 18 conflict, which asks for
    review (the purchaser decides which of the conflicted bidders stays)."""
    decisions = {e.decision for e in bidders}
    if Decision.INELIGIBLE in decisions:
        return Decision.INELIGIBLE
    return Decision.REVIEW if Decision.REVIEW in decisions or conflicts else Decision.ELIGIBLE


def check_day(store: GraphStore, lot_uid: str | None, as_of: date | None) -> tuple[date, str]:
    """The day a check is as of, and why: the date given; else the lot's bid deadline (Caiku
    [2016] No. 125: the query's cut-off is the bid deadline), on the day where the lot is; else
    today in China, never the server's own zone."""
    if as_of is not None:
        return as_of, "given"
    if lot_uid is not None:
        lot = store.node(lot_uid)
        if lot is None:
            raise AssessmentError("lotId", "not_found", f"no lot {lot_uid}")
        deadline = day_of(lot.props.get("bid_deadline"))
        if deadline is not None:
            return deadline, "bid_deadline"
    return periods.today(), "today"


def _dated(
    store: GraphStore, policy: Policy, lot_uid: str | None, as_of: date | None
) -> tuple[date, str, Policy]:
    """`check_day`, with the policy version in force on that day."""
    day, source = check_day(store, lot_uid, as_of)
    return day, source, policy.on(day)


def _inputs(as_of: date, source: str, known_at: datetime | None, **more: Any) -> dict[str, Any]:
    return {**more, "as_of": as_of, "as_of_source": source, "known_at": known_at}


def check_supplier(
    store: GraphStore,
    policy: Policy,
    supplier_uid: str,
    as_of: date | None,
    lot_uid: str | None,
    requested_by: str,
    known_at: datetime | None = None,
) -> SupplierCheck:
    """One supplier (organisation or natural person); with a lot, also the Art. 18 and
    Art. 22 para 2 conflicts with the lot's other bidders (as if it bid, when it has not).
    Read and filed in one transaction (the hot path: one commit, no separate reads); in a
    request, the request's audit event commits in it too."""
    return store.request_transaction(
        lambda tx: _check_supplier(
            InTransaction(store, tx), policy, supplier_uid, as_of, lot_uid, requested_by, known_at
        )
    )


def _check_supplier(
    store: GraphStore,
    policy: Policy,
    supplier_uid: str,
    as_of: date | None,
    lot_uid: str | None,
    requested_by: str,
    known_at: datetime | None,
) -> SupplierCheck:
    day, source, policy = _dated(store, policy, lot_uid, as_of)
    members: dict[str, list[str]] = {}
    found: list[Conflict] = []
    if lot_uid is not None:
        lot = lot_participation(store, lot_uid, day, supplier_uid)
        mine = [b for b in lot.bidders if b.supplier == supplier_uid]
        members[supplier_uid] = list(mine[0].members) if mine else []
        found = lot.conflicts
    facts = all_supplier_facts(store, [supplier_uid], day, members).get(supplier_uid)
    if facts is None:
        field = "id" if supplier_uid.startswith("person:") else "uscc"
        raise AssessmentError(field, "not_found", f"no supplier {supplier_uid}")
    extra = screening_reasons(store, [supplier_uid], day).get(supplier_uid, [])
    result = with_reasons(
        assess_supplier(facts, day, policy, known_at), [*reasons_for(found, supplier_uid), *extra]
    )
    inputs = _inputs(
        day,
        source,
        known_at,
        supplier=supplier_uid,
        lot=lot_uid,
        external_lists=matching.list_freshness(store),
    )
    if supplier_uid.startswith("person:"):
        inputs["natural_person"] = text("GPL-21-SUPPLIER")  # a person supplier, no name kept
    record = _file(
        store, "SUPPLIER", inputs, result, policy, requested_by, [supplier_uid], result.decision
    )
    return SupplierCheck(record, result)


def check_lot(
    store: GraphStore,
    policy: Policy,
    lot_uid: str,
    as_of: date | None,
    requested_by: str,
    known_at: datetime | None = None,
) -> LotCheck:
    day, source, policy = _dated(store, policy, lot_uid, as_of)
    lot = lot_participation(store, lot_uid, day)
    suppliers = list(dict.fromkeys(b.supplier for b in lot.bidders))
    members = {b.supplier: list(b.members) for b in lot.bidders if b.members}
    facts = all_supplier_facts(store, suppliers, day, members)
    extra = screening_reasons(store, suppliers, day)
    bidders = tuple(
        with_reasons(
            assess_supplier(facts[uid], day, policy, known_at),
            [*reasons_for(lot.conflicts, uid), *extra.get(uid, [])],
        )
        for uid in suppliers
    )
    conflicts_found = tuple(lot.conflicts)
    result = {"bidders": bidders, "conflicts": conflicts_found}
    decision = lot_decision(bidders, conflicts_found)
    record = _file(
        store,
        "LOT",
        _inputs(day, source, known_at, lot=lot_uid, external_lists=matching.list_freshness(store)),
        result,
        policy,
        requested_by,
        [lot_uid, *suppliers],
        decision,
    )
    return LotCheck(record, lot_uid, day, bidders, conflicts_found)


# --- participation: Regs Art. 18 and Art. 22 para 2 among a lot's bidders --------------------


@dataclass(frozen=True)
class LotParticipation:
    project: str
    single_source: bool
    bidders: tuple[Bidder, ...]
    conflicts: list[Conflict]


def lot_participation(
    store: GraphStore, lot_uid: str, as_of: date, candidate: str | None = None
) -> LotParticipation:
    """The lot's bids and the conflicts among them, read in two queries; `candidate`, when it
    has not bid, is weighed as a bidder of its own (may it still join?)."""
    rows = store.read(participation_q.LOT_PARTICIPANTS, lot=lot_uid)
    if not rows:
        raise AssessmentError("lotId", "not_found", f"no lot {lot_uid}")
    bidders = [Bidder(r["bid"], r["supplier"], tuple(r["members"])) for r in rows if r["bid"]]
    if candidate is not None and all(b.supplier != candidate for b in bidders):
        bidders.append(Bidder(f"candidate:{candidate}", candidate))
    project, single = rows[0]["project"], rows[0]["method"] == "SINGLE_SOURCE"
    parties = list(dict.fromkeys(p for b in bidders for p in b.parties))
    ties: dict[str, list[Tie]] = {}
    services: dict[str, list[str]] = {}
    for row in store.read(
        participation_q.PARTICIPATION_TIES, uids=parties, project=project, as_of=as_of
    ):
        ties[row["uid"]] = [
            Tie(
                type=t["type"],
                source=t["source"],
                target=row["uid"],
                person=bool(t["person"]),
                uid=t["uid"],
                share=None if t["share"] is None else float(t["share"]),
            )
            for t in row["ties"]
        ]
        services[row["uid"]] = list(row["services"])
    found = conflicts(bidders, ties, services, single_source=single)
    return LotParticipation(project, single, tuple(bidders), found)


def screening_reasons(
    store: GraphStore, uids: Sequence[str], as_of: date
) -> dict[str, list[Reason]]:
    """Reasons from outside a supplier's own records: open name matches on the lists."""
    return {
        uid: name_match_reasons(found)
        for uid, found in matching.open_matches(store, list(uids), as_of).items()
    }


def all_supplier_facts(
    store: GraphStore, uids: Sequence[str], as_of: date, members: dict[str, list[str]]
) -> dict[str, SupplierFacts]:
    """supplier_facts for organisations; natural-person suppliers (Law Art. 21) have their
    own records only (no network of companies behind them) and no name in the facts."""
    people = [u for u in uids if u.startswith("person:")]
    facts = supplier_facts(store, [u for u in uids if u not in people], as_of, members)
    for uid, subject in (load_records(store, people) if people else {}).items():
        facts[uid] = SupplierFacts(id=uid, uscc="", name=uid, records=subject.records)
    return facts


def check_agency(
    store: GraphStore,
    policy: Policy,
    agency_uid: str,
    as_of: date | None,
    requested_by: str,
    known_at: datetime | None = None,
) -> SupplierCheck:
    """May this agency act as procurement agent (Law Art. 78)? Files a check record."""
    day, source, policy = _dated(store, policy, None, as_of)
    node = store.node(agency_uid)
    if node is None:
        raise AssessmentError("uscc", "not_found", f"no organisation {agency_uid}")
    if "Agency" not in node.labels:
        raise AssessmentError("uscc", "not_agency", f"{agency_uid} is not a procurement agency")
    subject = load_records(store, [agency_uid])[agency_uid]
    result = assess_agency(agency_uid, subject.records, day, policy, known_at)
    inputs = _inputs(
        day, source, known_at, agency=agency_uid, external_lists=matching.list_freshness(store)
    )
    record = _file(
        store, "AGENCY", inputs, result, policy, requested_by, [agency_uid], result.decision
    )
    return SupplierCheck(record, result)


# --- scores ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    uid: str
    name: str
    score: Score
    explanation: str  # canonical JSON of the score: byte-identical for the same inputs


def credit_profile(
    store: GraphStore,
    policy: Policy,
    uid: str,
    as_of: date | None,
    known_at: datetime | None = None,
) -> Profile:
    """The score as of a day (today in China by default) under the policy in force then."""
    as_of = as_of or periods.today()
    policy = policy.on(as_of)
    subject = load_records(store, [uid]).get(uid)
    if subject is None:
        raise AssessmentError("id", "not_found", f"nothing is known under {uid}")
    if subject.subject_type is None:
        raise AssessmentError(
            "id", "subject_type", "scores exist for suppliers, agencies and experts"
        )
    network = load_network(store, [uid], as_of).get(uid, []) if uid.startswith("org:") else []
    score = compute_score(subject.subject_type, subject.records, as_of, policy, network, known_at)
    return Profile(uid, subject.name, score, canonical_json(score))


def count_scored(store: GraphStore) -> int:
    """How many subjects `score_all` will score (for its progress bar)."""
    return int(store.read(credit_q.COUNT_SCORED)[0]["n"])


def score_all(
    store: GraphStore,
    policy: Policy,
    as_of: date,
    batch: int = 500,
    progress: Callable[[int], object] | None = None,
    known_at: datetime | None = None,
) -> tuple[int, int]:
    """Score every supplier, agency and expert under the policy in force on `as_of`; return
    (scored, grade changes)."""
    policy = policy.on(as_of)
    scored = changed = 0
    after = ""
    while True:
        uids = [
            r["uid"] for r in store.read(credit_q.SCORE_SUBJECTS_PAGE, after=after, limit=batch)
        ]
        if not uids:
            return scored, changed
        subjects = load_records(store, uids)
        orgs = [u for u in uids if u.startswith("org:")]
        network = load_network(store, orgs, as_of) if orgs else {}
        rows = []
        for uid in uids:
            subject = subjects[uid]
            if subject.subject_type is None:
                continue
            score = compute_score(
                subject.subject_type,
                subject.records,
                as_of,
                policy,
                network.get(uid, []),
                known_at,
            )
            rows.append(
                {
                    "uid": uid,
                    "score": float(score.score),
                    "grade": score.grade,
                    "as_of": as_of,
                    "policy": policy.version,
                }
            )

        def work(tx: ManagedTransaction, rows: list[dict[str, Any]] = rows) -> int:
            moved = [dict(r) for r in tx.run(credit_q.SCORES_STORE, rows=rows)]
            subjects = {r["uid"]: (r["subject"], r["labels"]) for r in moved}
            feed.append(tx, feed.grade_events([native(r) for r in moved], subjects))
            return len(moved)

        changed += store.transaction(work)
        scored += len(rows)
        after = uids[-1]
        if progress:
            progress(len(uids))
