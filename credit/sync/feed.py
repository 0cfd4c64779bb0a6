"""The change feed (outbox): every published change is written in the same transaction as the
change itself, with a stable id and a gap-free sequence in commit order.

Readers resume from an opaque cursor (the last sequence they saw); because each change keeps
its id, a receiver that re-reads a page after a crash recognises what it already has.

What the feed says about a natural person is what the disclosure rules publish, and no more:
see PUBLISHED_PERSON_BASIS and UNPUBLISHED_PERSON_BASIS (ids in credit/legal/texts.toml).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from neo4j import ManagedTransaction

from credit.core.store import Changed, GraphStore, native
from credit.sync.exchange import (
    ChangeEnvelope,
    ChangeKind,
    GradeRecord,
    ListingRecord,
    PenaltyRecord,
    Subject,
)
from graph import feed_queries as feed_q

PUBLISHED_TYPES = frozenset({"violation", "external_listing"})
MAX_PAGE = 1000
# A penalty decision is public, with the penalised person's name and a masked identity number.
PUBLISHED_PERSON_BASIS = (
    "APL-48-DISCLOSURE",
    "NDRC-2019-527-PUBLICATION",
    "ZJ-PENALTY-ONLINE-7",
    "PIPL-13-PUBLISHED",
)
# A grade is our own assessment, not a published decision: it names no person.
UNPUBLISHED_PERSON_BASIS = ("PIPL-25-NO-PUBLICATION",)


@dataclass(frozen=True)
class Event:
    kind: ChangeKind
    record_uid: str
    subject_uid: str | None
    payload: dict[str, Any]


def _is_person(labels: Sequence[str] | None) -> bool:
    return "Person" in (labels or ())


def _subject(props: dict[str, Any] | None, labels: Sequence[str] | None) -> Subject | None:
    """The party of a published record, as published (PUBLISHED_PERSON_BASIS): a person by name
    and masked identity number, nothing else of the Person node."""
    if not props or not props.get("uid"):
        return None
    if _is_person(labels):
        return Subject(
            name=str(props.get("name") or ""),
            masked_id_number=props.get("id_masked"),
            kind="person",
        )
    return Subject(name=str(props.get("name") or ""), uscc=props.get("uscc"), kind="organization")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def penalty(record: dict[str, Any], subject: Subject) -> PenaltyRecord:
    return PenaltyRecord(
        record_id=record["uid"],
        subject=subject,
        decision_number=record["decision_number"],
        violation_type=record["category"],
        severity=record["severity"],
        legal_basis=record["basis"],
        penalty_types=list(record.get("penalty_types") or []),
        penalty_content=record.get("penalty_content"),
        fine_amount=record.get("fine_exact"),
        fine_currency=record.get("fine_currency"),
        decision_date=record["decided_on"],
        ban_start=record.get("ban_start"),
        ban_end=record.get("ban_end"),
        publication_end=record.get("publication_end"),
        authority=record["authority"],
        status=record["status"],
        status_date=record.get("status_date"),
        version=int(record.get("version") or 1),
        source=str(record.get("source") or "local"),
    )


def listing(record: dict[str, Any], subject: Subject | None) -> ListingRecord:
    return ListingRecord(
        record_id=record["uid"],
        subject=subject,
        subject_name=record.get("subject_name"),
        list=record["list"],
        authority=record["authority"],
        reference=record.get("reference"),
        listed_on=record["listed_on"],
        valid_until=record.get("valid_until"),
        retracted_on=record.get("retracted_on"),
        version=int(record.get("version") or 1),
        source=str(record.get("source") or "local"),
        external_id=record.get("external_id"),
    )


def _violation_kind(change: Changed, record: dict[str, Any]) -> ChangeKind:
    if change.created:
        return "VIOLATION_RECORDED"
    status = record.get("status")
    if status != change.previous.get("status"):
        return {
            "REPAIRED": "VIOLATION_REPAIRED",
            "OVERTURNED": "VIOLATION_OVERTURNED",
            "UNDER_APPEAL": "VIOLATION_UNDER_APPEAL",
        }.get(str(status), "VIOLATION_AMENDED")  # type: ignore[return-value]
    return "VIOLATION_AMENDED"


def _listing_kind(change: Changed, record: dict[str, Any]) -> ChangeKind:
    if change.created and not record.get("retracted_on"):
        return "LISTING_ADDED"
    if record.get("retracted_on") and not change.previous.get("retracted_on"):
        return "LISTING_RETRACTED"
    return "LISTING_UPDATED"


def publish_record_changes(tx: ManagedTransaction, changes: list[Changed]) -> None:
    """The intake hook: describe changed violations and listings, then append them."""
    relevant = {c.uid: c for c in changes if c.record_type in PUBLISHED_TYPES}
    if not relevant:
        return
    events = [
        record_event(
            relevant[row["uid"]], native(row["record"]), row["subject"], row["subject_labels"]
        )
        for row in tx.run(feed_q.FEED_RECORD_STATE, uids=sorted(relevant))
    ]
    append(tx, events)


def record_event(
    change: Changed,
    record: dict[str, Any],
    subject_props: dict[str, Any] | None,
    subject_labels: Sequence[str] | None,
) -> Event:
    """The event of one changed violation or listing, from its committed state and its subject
    (also used by the bulk load, which builds the same feed without a database)."""
    subject = _subject(subject_props, subject_labels)
    subject_id = subject_props.get("uid") if subject_props else None
    if change.record_type == "violation":
        assert subject is not None, "a violation always has its subject"
        return Event(
            _violation_kind(change, record),
            change.uid,
            subject_id,
            penalty(record, subject).model_dump(mode="json"),
        )
    return Event(
        _listing_kind(change, record),
        change.uid,
        subject_id,
        listing(record, subject).model_dump(mode="json"),
    )


def subject_uid(row: Any) -> str | None:
    subject = row["subject"]
    return None if not subject else subject.get("uid")


def append(tx: ManagedTransaction, events: Sequence[Event]) -> None:
    if not events:
        return
    rows = [
        {
            "id": uuid.uuid4().hex,
            "kind": e.kind,
            "record": e.record_uid,
            "subject": e.subject_uid,
            "payload": json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
        }
        for e in events
    ]
    tx.run(feed_q.FEED_APPEND, events=rows, at=datetime.now(UTC).isoformat()).consume()


def grade_events(rows: Sequence[dict[str, Any]], subjects: dict[str, Any]) -> list[Event]:
    """GRADE_CHANGED events for stored scores whose grade moved; an expert's carries only its
    pseudonymous id (UNPUBLISHED_PERSON_BASIS)."""
    events = []
    for row in rows:
        props, labels = subjects[row["uid"]]
        person = _is_person(labels)
        subject = None if person else _subject(props, labels)
        assert person or subject is not None
        record = GradeRecord(
            subject_id=row["uid"],
            subject_kind="person" if person else "organization",
            subject=subject,
            previous_grade=row["previous"],
            grade=row["grade"],
            score=str(row["score"]),
            as_of=row["as_of"],
            policy_version=row["policy"],
        )
        events.append(
            Event("GRADE_CHANGED", row["uid"], row["uid"], record.model_dump(mode="json"))
        )
    return events


def expire(store: GraphStore, as_of: date, batch: int = 500) -> int:
    """Publish VIOLATION_EXPIRED for records whose publication period ended before `as_of`."""
    total = 0
    while True:
        uids = [r["uid"] for r in store.read(feed_q.FEED_EXPIRING, as_of=as_of, limit=batch)]
        if not uids:
            return total

        def work(tx: ManagedTransaction, uids: list[str] = uids) -> None:
            tx.run(feed_q.FEED_MARK_EXPIRED, uids=uids, as_of=as_of).consume()
            events = []
            for row in tx.run(feed_q.FEED_RECORD_STATE, uids=uids):
                subject = _subject(row["subject"], row["subject_labels"])
                assert subject is not None
                payload = penalty(native(row["record"]), subject).model_dump(mode="json")
                events.append(Event("VIOLATION_EXPIRED", row["uid"], subject_uid(row), payload))
            append(tx, events)

        store.transaction(work)
        total += len(uids)


@dataclass(frozen=True)
class Page:
    items: list[ChangeEnvelope]
    last_seq: int
    has_more: bool


def read(store: GraphStore, after: int, limit: int) -> Page:
    rows = store.read(feed_q.FEED_PAGE, after=after, limit=min(limit, MAX_PAGE) + 1)
    items = [
        ChangeEnvelope(
            id=c["id"],
            seq=c["seq"],
            kind=c["kind"],
            at=native(c)["at"],
            record=json.loads(c["payload"]),
        )
        for c in (row["c"] for row in rows[:limit])
    ]
    return Page(items, items[-1].seq if items else after, len(rows) > limit)
