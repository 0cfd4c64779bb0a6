"""GraphQL for record ownership: a supervisor's audited amendment of another source's record,
and the conflicting values other sources gave for a shared entity."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api.mirror import mirror
from credit.api.pagination import page_size
from credit.api.types import ctx
from credit.intake import ownership


@strawberry.type
class AmendedRecord:
    id: strawberry.ID
    version: int
    owner_source: str
    amended_by: str


@strawberry.type
class ConflictingValue:
    record_id: strawberry.ID
    field: str
    value: str
    source: str
    owner_source: str
    owner_value: str
    external_id: str | None
    version: int | None
    received_at: datetime | None


@strawberry.type
class OwnershipQuery:
    @strawberry.field(
        description="Values other sources gave for a record's fields that differ from the "
        "values its owning source set (kept aside, never applied), oldest first."
    )
    async def conflicting_values(
        self, info: Info, record_id: strawberry.ID, first: int = 50
    ) -> list[ConflictingValue]:
        c = ctx(info)
        found = await asyncio.to_thread(
            ownership.conflicting_values, c.store, str(record_id), page_size(first, c.max_page_size)
        )
        return [mirror(ConflictingValue, v, record_id=v.record) for v in found]


@strawberry.type
class OwnershipMutation:
    @strawberry.mutation(
        description="Amend or retract a record another source owns (a supervisor's correction, "
        "e.g. a decision overturned on review): `record` in our format becomes the record's next "
        "version, still its owner's, stamped with who amended it and `reason`; the change "
        "reaches the change feed and the audit trail names the record and the reason."
    )
    async def amend_record(
        self, info: Info, id: strawberry.ID, record: JSON, reason: str
    ) -> AmendedRecord:
        caller = ctx(info).caller
        done = await asyncio.to_thread(
            ownership.amend, ctx(info).intake, str(id), record, caller.subject, reason
        )
        return mirror(AmendedRecord, done, id=done.uid)
