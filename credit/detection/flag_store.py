"""Flags in the graph: written in batches on their identity, retired (never deleted) when a run
no longer finds them, reviewed by supervisors with a reason, and turned into violation drafts
that a supervisor completes. A flag never becomes a violation by itself."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from neo4j import ManagedTransaction

from credit.core.store import GraphStore, native, native_value
from credit.detection.detector import AnyDetector
from credit.detection.detectors.bid_screens import Screen
from credit.detection.facts import LotFacts
from credit.detection.flags import Finding, canonical
from credit.detection.registry import REGISTRY
from credit.domain import ids
from credit.domain.errors import DomainError
from credit.sync import feed
from credit.sync.exchange import FlagRecord
from graph import detection_queries as dq

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

WRITE_BATCH = 500


class FlagStatus(StrEnum):
    OPEN = "OPEN"
    CONFIRMED = "CONFIRMED"
    DISMISSED = "DISMISSED"


class ReviewDecision(StrEnum):
    CONFIRM = "CONFIRM"
    DISMISS = "DISMISS"


class ReviewError(DomainError):
    """A flag review refused (unknown flag, decided already, no reason)."""


def now() -> datetime:
    return datetime.now(UTC)


# --- writing ---------------------------------------------------------------------------------


@dataclass
class WriteReport:
    written: int = 0
    created: int = 0
    changed: int = 0
    reopened: int = 0
    retired: int = 0

    def add(self, other: WriteReport) -> None:
        for name in ("written", "created", "changed", "reopened", "retired"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _row(
    f: Finding, detector: AnyDetector, lots: Mapping[str, LotFacts], version: str
) -> dict[str, Any]:
    lot = lots.get(f.lot) if f.lot else None
    spanned = [lots[u] for u in f.lots if u in lots]
    buyers = sorted({b for x in spanned for b in x.buyers})
    return {
        "uid": f.uid,
        "evidence_hash": f.evidence_hash,
        "suppliers": list(f.suppliers),
        "lots": list(f.lots),
        "props": {
            "uid": f.uid,
            "pattern": f.pattern,
            "title": detector.title,
            "basis": detector.basis,
            "lot": f.lot,
            "lot_key": lot.key if lot else None,
            "project_key": lot.project_key if lot else None,
            "ocid": lot.ocid if lot else None,
            "suppliers": list(f.suppliers),
            "others": list(f.others),
            "lots": list(f.lots),
            "buyers": buyers,
            "confidence": f.confidence,
            "message": f.message,
            "evidence": canonical(f.evidence),
            "scores": canonical(f.scores),
            "settings_version": version,
        },
    }


def write_findings(
    store: GraphStore,
    findings: Sequence[Finding],
    lots: Mapping[str, LotFacts],
    version: str,
    at: datetime,
) -> WriteReport:
    """Upsert flags for findings; `lots` gives the lots they name (project, ocid, buyers)."""
    return store.transaction(lambda tx: _upsert(tx, findings, lots, version, at))


def _upsert(
    tx: ManagedTransaction,
    findings: Sequence[Finding],
    lots: Mapping[str, LotFacts],
    version: str,
    at: datetime,
) -> WriteReport:
    report = WriteReport()
    unique = {f.uid: f for f in findings}
    rows = [_row(f, REGISTRY[f.pattern], lots, version) for f in unique.values()]
    for start in range(0, len(rows), WRITE_BATCH):
        for r in tx.run(dq.FLAGS_UPSERT, rows=rows[start : start + WRITE_BATCH], now=at):
            report.written += 1
            report.created += bool(r["created"])
            report.changed += bool(r["changed"])
            report.reopened += bool(r["reopened"])
    return report


@dataclass(frozen=True)
class LotResults:
    """What a run of the lot detectors over some lots found: written together."""

    lots: Sequence[str]  # the lots the run covered: their flags no longer found are retired
    patterns: Sequence[str]  # the lot patterns that ran
    findings: Sequence[Finding]  # lot and history findings
    known: Mapping[str, LotFacts]  # the lots the findings name
    screens: Sequence[Screen]
    version: str


def write_lot_results(
    store: GraphStore, results: LotResults, at: datetime, read_back: str | None = None
) -> tuple[WriteReport, list[StoredFlag]]:
    """Flags, retirements and bid screens of a run over lots in one transaction (one commit
    instead of three per batch); with `read_back`, that lot's current flags as written."""

    def work(tx: ManagedTransaction) -> tuple[WriteReport, list[StoredFlag]]:
        report = _upsert(tx, results.findings, results.known, results.version, at)
        retired = tx.run(
            dq.FLAGS_RETIRE_LOTS,
            lots=list(results.lots),
            patterns=list(results.patterns),
            seen=sorted({f.uid for f in results.findings}),
            now=at,
        ).single()
        report.retired += int(retired["retired"]) if retired else 0
        rows = [asdict(s) for s in results.screens]
        if rows:
            tx.run(dq.SCREENS_STORE, rows=rows, now=at).consume()
        if read_back is None:
            return report, []
        found = tx.run(dq.FLAGS_OF_LOT, lot=read_back, current_only=True)
        return report, [StoredFlag.of(r["f"]) for r in found]

    return store.transaction(work)


def retire_history_flags(
    store: GraphStore, patterns: Sequence[str], seen: Iterable[str], at: datetime
) -> int:
    """Only a full scan sees the whole history, so only it retires history flags."""
    rows = store.write(
        dq.FLAGS_RETIRE_HISTORY, patterns=list(patterns), seen=sorted(set(seen)), now=at
    )
    return int(rows[0]["retired"]) if rows else 0


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFlag:
    uid: str
    pattern: str
    title: str
    basis: str
    status: FlagStatus
    current: bool
    confidence: float
    message: str
    lot: str | None
    lot_key: str | None
    project_key: str | None
    ocid: str | None
    suppliers: tuple[str, ...]
    others: tuple[str, ...]
    lots: tuple[str, ...]
    buyers: tuple[str, ...]
    evidence: Mapping[str, Any]
    scores: Mapping[str, Any]
    first_seen: datetime
    last_seen: datetime
    reviewed_by: str | None = None
    reviewed_by_name: str | None = None
    reviewed_at: datetime | None = None
    review_reason: str | None = None
    evidence_changed_at: datetime | None = None
    props: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @staticmethod
    def of(raw: Mapping[str, Any]) -> StoredFlag:
        p = native(raw)
        return _record(
            StoredFlag,
            p,
            **{k: tuple(p.get(k) or ()) for k in ("suppliers", "others", "lots", "buyers")},
            status=FlagStatus(p["status"]),
            current=bool(p.get("current", True)),
            confidence=float(p["confidence"]),
            evidence=json.loads(p["evidence"]),
            scores=json.loads(p.get("scores") or "{}"),
            props=p,
        )


def _record(kind: type[R], stored: Mapping[str, Any], /, **read: Any) -> R:
    """A `kind` from the stored properties of the same names (absent ones: None), those in
    `read` given as they are to be read instead."""
    return kind(**{f.name: stored.get(f.name) for f in fields(kind)} | read)


def flag(store: GraphStore, uid: str) -> StoredFlag | None:
    rows = store.read(dq.FLAG_BY_UID, uid=uid)
    return StoredFlag.of(rows[0]["f"]) if rows else None


def flags_of_lot(store: GraphStore, lot: str, current_only: bool = True) -> list[StoredFlag]:
    rows = store.read(dq.FLAGS_OF_LOT, lot=lot, current_only=current_only)
    return [StoredFlag.of(r["f"]) for r in rows]


@dataclass(frozen=True)
class FlagQuery:
    pattern: str | None = None
    status: FlagStatus | None = None
    lot: str | None = None
    supplier: str | None = None
    buyer: str | None = None  # only flags about lots this purchaser or agency runs
    min_confidence: float | None = None
    current_only: bool = True

    def params(self) -> dict[str, Any]:
        """The filter's query parameters, the same for a page and for the count."""
        return {**asdict(self), "status": self.status.value if self.status else None}


def flags_page(
    store: GraphStore, query: FlagQuery, after: tuple[float, str] | None, limit: int
) -> list[StoredFlag]:
    """The review queue, most confident first; `after` is the last (confidence, uid) seen."""
    rows = store.read(
        dq.FLAGS_PAGE,
        **query.params(),
        after_confidence=after[0] if after else None,
        after_uid=after[1] if after else None,
        limit=limit,
    )
    return [StoredFlag.of(r["f"]) for r in rows]


def flags_count(store: GraphStore, query: FlagQuery) -> int:
    """How many flags the queue's filter matches, for "N in all" beside a page."""
    rows = store.read(dq.FLAGS_COUNT, **query.params())
    return int(rows[0]["total"]) if rows else 0


def export(
    store: GraphStore, current_only: bool = True, status: FlagStatus | None = None, size: int = 1000
) -> Iterable[StoredFlag]:
    after = ""
    while True:
        rows = store.read(
            dq.FLAGS_EXPORT,
            after=after,
            current_only=current_only,
            status=status.value if status else None,
            limit=size,
        )
        if not rows:
            return
        for row in rows:
            yield StoredFlag.of(row["f"])
        after = rows[-1]["f"]["uid"]


def screen_of(store: GraphStore, lot: str) -> Screen | None:
    rows = store.read(dq.SCREEN_OF_LOT, lot=lot)
    if not rows:
        return None
    return _record(Screen, rows[0]["s"])


@dataclass(frozen=True)
class Standing:
    """A standing flag from the last scan about some of a lot's bidders, as a purchaser may see
    it at bid opening: the pattern, its basis and confidence, and which of the lot's bidders
    it names (`parties` counts all the suppliers it names, the others are not shown)."""

    uid: str
    pattern: str
    title: str
    basis: str
    confidence: float
    status: FlagStatus
    last_seen: datetime
    bidders: tuple[str, ...]
    parties: int


def standing_of_lot(store: GraphStore, lot: str) -> list[Standing]:
    rows = store.read(dq.STANDING_OF_LOT, lot=lot)
    return [
        Standing(
            uid=r["uid"],
            pattern=r["pattern"],
            title=r["title"],
            basis=r["basis"],
            confidence=float(r["confidence"]),
            status=FlagStatus(r["status"]),
            last_seen=native_value(r["last_seen"]),
            bidders=tuple(sorted(r["bidders"])),
            parties=int(r["parties"]),
        )
        for r in rows
    ]


def lot_buyers(store: GraphStore, lot: str) -> list[str] | None:
    """The purchaser and agency of a lot; None if there is no such lot."""
    rows = store.read(dq.LOT_BUYERS, lot=lot)
    if not rows or not rows[0]["is_lot"]:
        return None
    return list(rows[0]["buyers"])


# --- review and drafts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    uid: str
    decision: ReviewDecision
    reason: str
    reviewer: str
    reviewer_name: str
    at: datetime
    previous_status: FlagStatus
    evidence_hash: str


@dataclass(frozen=True)
class Draft:
    """A violation record prefilled from a confirmed flag, for a supervisor to complete and
    file with recordViolation (decision number, authority, penalty are theirs to decide)."""

    uid: str
    flag: str
    subject: str
    subject_uscc: str | None
    category: str
    severity: str
    basis: str
    project_key: str | None
    lot_key: str | None
    summary: str
    created_by: str
    created_at: datetime
    status: str


def reviews(store: GraphStore, uids: Sequence[str]) -> dict[str, list[Review]]:
    found: dict[str, list[Review]] = {u: [] for u in uids}
    for row in store.read(dq.FLAG_REVIEWS, uids=list(uids)):
        r = native(row["r"])
        found[row["flag"]].append(
            _record(
                Review,
                r,
                decision=ReviewDecision(r["decision"]),
                previous_status=FlagStatus(r["previous_status"]),
            )
        )
    return found


def drafts(store: GraphStore, uids: Sequence[str]) -> dict[str, list[Draft]]:
    found: dict[str, list[Draft]] = {u: [] for u in uids}
    for row in store.read(dq.DRAFTS_OF_FLAGS, uids=list(uids)):
        found[row["flag"]].append(_draft(row["d"]))
    return found


def _draft(raw: Mapping[str, Any]) -> Draft:
    return _record(Draft, native(raw))


_DRAFT_SEVERITY = "SERIOUS"  # Law Art. 77 serious violations; the supervisor decides
# A confirmed Regs Art. 18 flag drafts a declaration that the subject's bid in the lot is
# invalid (投标无效), for the purchaser or supervisor to issue: a participation bar, not a
# penalty, so it has no severity and never becomes a violation record.
_INVALID_BID = "INVALID_BID"
_NO_SEVERITY = "NOT_APPLICABLE"
_INVALID_BID_WORDS = "投标无效 — declare this supplier's bid in the lot invalid. "


def review(
    store: GraphStore,
    uid: str,
    decision: ReviewDecision,
    reason: str,
    reviewer: str,
    reviewer_name: str,
    create_drafts: bool = False,
) -> tuple[StoredFlag, list[Draft]]:
    """Record a supervisor's decision on a flag (kept with the previous status and the
    evidence it was judged on); with `create_drafts`, prefill a violation draft per party."""
    reason = reason.strip()
    if not reason:
        raise ReviewError("reason", "required", "give the reason for the decision")
    if len(reason) > 2000:
        raise ReviewError("reason", "max_length", "a reason is at most 2000 characters")
    current = flag(store, uid)
    if current is None:
        raise ReviewError("id", "not_found", f"no flag {uid}")
    detector = REGISTRY[current.pattern]
    category = detector.violation
    drafted = _INVALID_BID if detector.invalid_bid else category.value if category else None
    if create_drafts and decision is not ReviewDecision.CONFIRM:
        raise ReviewError(
            "createDraftViolation", "confirm_only", "only a confirmed flag drafts a violation"
        )
    if create_drafts and drafted is None:
        raise ReviewError(
            "createDraftViolation",
            "not_evidence",
            f"{current.pattern} is a screen, not evidence of a violation on its own",
        )
    status = FlagStatus.CONFIRMED if decision is ReviewDecision.CONFIRM else FlagStatus.DISMISSED
    at = now()

    def work(tx: ManagedTransaction) -> tuple[StoredFlag, list[Draft]]:
        row = tx.run(
            dq.FLAG_REVIEW,
            uid=uid,
            review=f"review:{uuid.uuid4().hex}",
            decision=decision.value,
            reason=reason,
            reviewer=reviewer,
            reviewer_name=reviewer_name,
            status=status.value,
            now=at,
        ).single(strict=True)
        updated = StoredFlag.of(row["f"])
        if status is FlagStatus.CONFIRMED:
            feed.append(tx, [_confirmed_event(updated, reviewer_name or reviewer, at)])
        if not create_drafts or drafted is None:
            return updated, []
        subjects = updated.others if updated.pattern == "EXPERT_CONFLICT" else updated.suppliers
        rows = [
            {
                "uid": f"draft:{uid.removeprefix('flag:')}:{subject}",
                "flag": uid,
                "subject": subject,
                "subject_uscc": subject.removeprefix("org:")
                if subject.startswith("org:")
                else None,
                "category": drafted,
                "severity": _NO_SEVERITY if detector.invalid_bid else _DRAFT_SEVERITY,
                "basis": updated.basis,
                "project_key": updated.project_key,
                "lot_key": updated.lot_key,
                "summary": (_INVALID_BID_WORDS if detector.invalid_bid else "")
                + f"{updated.title}: {updated.message} (flag {uid}; reason: {reason})",
                "created_by": reviewer,
            }
            for subject in subjects
        ]
        created = tx.run(dq.DRAFTS_CREATE, rows=rows, now=at)
        return updated, [_draft(r["d"]) for r in created]

    with store.driver.session(database=store.database) as session:
        return session.execute_write(work)


def _confirmed_event(f: StoredFlag, reviewer: str, at: datetime) -> feed.Event:
    """A confirmed flag enters the change feed (the exchange format's FLAG_CONFIRMED)."""
    record = FlagRecord(
        flag_id=f.uid,
        pattern=f.pattern,
        legal_basis=f.basis,
        lot_id=f.lot,
        supplier_usccs=[ids.key("org", s) for s in f.suppliers],
        confidence=f.confidence,
        reviewed_by=reviewer,
        reviewed_at=at,
    )
    subject = f.suppliers[0] if len(f.suppliers) == 1 else None
    return feed.Event("FLAG_CONFIRMED", f.uid, subject, record.model_dump(mode="json"))
