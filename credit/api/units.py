"""A procurement unit's own lots (the pages' "my lots" home): the lots of projects the caller's
unit buys (a purchaser) or runs (an agency), upcoming bid deadlines first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from credit.api.pagination import Connection, connection, decode_position, page_size
from credit.api.types import Lot, ctx
from credit.security.visibility import unit_lot_scope


@strawberry.type
class UnitQuery:
    @strawberry.field(
        description="The lots of the caller's unit (as purchaser or agency): upcoming bid "
        "deadlines first, soonest first, then past ones, latest first."
    )
    async def my_lots(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Lot]:
        c = ctx(info)
        size = page_size(first, c.max_page_size)
        skip = decode_position(after, "myLots") or 0
        scope = unit_lot_scope(c.caller)
        if scope.purchaser is None and scope.agency is None:
            return connection([], size, "myLots", str, Lot.of)
        lots = await asyncio.to_thread(
            c.store.unit_lots, scope.purchaser, scope.agency, datetime.now(UTC), skip, size + 1
        )
        return connection(
            list(enumerate(lots, start=skip + 1)),
            size,
            "myLots",
            lambda hit: str(hit[0]),
            lambda hit: Lot.of(hit[1]),
        )
