"""A supervisor's amendment of a record another source owns, and the values other sources
gave that conflict with an owner's.

Intake lets only a record's owning source change it. A supervisor who must correct or retract
another source's record (a decision overturned on review) does it here, naming a reason: the
record stays its owner's, gets the next version, and carries who amended it, when and why; the
change reaches the change feed as any other, and the audit event (written in the same
transaction) names the record and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from credit.core.store import GraphStore, native
from credit.domain.errors import DomainError
from credit.intake.mapping import GraphWrite
from credit.intake.pipeline import Intake, validate_record
from credit.sync.feed import publish_record_changes
from graph import intake_queries as intake_q

MAX_REASON = 2000


class AmendRefused(DomainError):
    """An amendment refused, naming the field and the rule."""


@dataclass(frozen=True)
class Amended:
    uid: str
    version: int
    owner_source: str
    amended_by: str
    changed: bool


def _refuse(field: str, rule: str, message: str) -> AmendRefused:
    return AmendRefused(field, rule, message)


def _stored(store: GraphStore, write: GraphWrite) -> tuple[str, int] | None:
    if write.edge_record is not None:
        rows = store.read(intake_q.EDGE_RECORD_OWNER, uid=write.uid, type=write.edge_record.type)
    else:
        rows = store.read(intake_q.RECORD_OWNER, uid=write.uid)
    if not rows or rows[0]["owner"] is None:
        return None
    return str(rows[0]["owner"]), int(rows[0]["version"] or 1)


def amend(intake: Intake, uid: str, raw: Any, by: str, reason: str) -> Amended:
    """Write `raw` (a record of our format) over the stored record `uid` as its next version,
    whichever source owns it. The write is conditional on that version still being next."""
    reason = reason.strip()
    if not reason:
        raise _refuse("reason", "required", "an amendment names its reason")
    if len(reason) > MAX_REASON:
        raise _refuse("reason", "max_length", f"at most {MAX_REASON} characters")
    parsed = validate_record(1, raw)
    if isinstance(parsed, list):
        first = parsed[0]
        raise _refuse(f"record.{first.field}", first.rule, first.message)
    write = intake.mapper.map(parsed)
    if write.uid != uid:
        raise _refuse("id", "id.mismatch", f"the record is {write.uid}, not {uid}")
    stored = _stored(intake.store, write)
    if stored is None:
        raise _refuse("id", "record.exists", f"{uid} is not a stored record")
    owner, version = stored
    missing = sorted(set(write.refs) - intake.store.existing_uids(write.refs))
    if missing:
        raise _refuse(write.refs[missing[0]], "reference.exists", f"{missing[0]} is not known")
    stamp = {"amended_by": by, "amended_at": datetime.now(UTC).isoformat(), "amend_reason": reason}
    if write.node is not None:
        write.node.props.update(stamp)
    if write.edge_record is not None:
        write.edge_record.props.update(stamp)
    write.provenance = write.provenance | {"source": owner, "version": version + 1}
    applied = intake.store.apply([write], publish_record_changes)
    if uid in applied.refused:  # the owner cannot change; this would be a defect
        raise _refuse("source", "source.not_owner", f"{uid} belongs to {applied.refused[uid]!r}")
    if uid not in applied.changed:
        raise _refuse("id", "version.stale", f"{uid} changed meanwhile; read it and amend again")
    return Amended(uid, version + 1, owner, by, True)


@dataclass(frozen=True)
class ConflictingValue:
    record: str
    field: str
    value: str
    source: str
    owner_source: str
    owner_value: str
    external_id: str | None
    version: int | None
    received_at: datetime | None


def conflicting_values(store: GraphStore, record: str, limit: int) -> list[ConflictingValue]:
    """Values other sources gave for `record` that differ from its owner's, oldest first."""
    rows = store.read(intake_q.CONFLICTING_VALUES, record=record, limit=limit)
    names = [f.name for f in fields(ConflictingValue)]  # the node's properties, by name
    out = []
    for row in rows:
        stored = native(row["v"])
        values: dict[str, Any] = {name: stored.get(name) for name in names}
        out.append(ConflictingValue(**values))
    return out
