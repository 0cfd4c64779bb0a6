"""Sharing endpoints: the change feed over GraphQL and as NDJSON for bulk pulls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, ClassVar

import strawberry
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api.errors import bad_input, not_found
from credit.api.gate import authorise_and_audit
from credit.api.mirror import Differences, Mirror, mirror
from credit.api.pagination import decode_cursor, decode_position, encode_cursor, page_size
from credit.api.types import ctx
from credit.core.store import GraphStore, native
from credit.domain.errors import DomainError
from credit.security.audit import AuditLog
from credit.security.permissions import PermissionTable
from credit.sync import feed, matching, webhooks

CURSOR_SCOPE = "changes"


def parse_cursor(after: str | None) -> int:
    return decode_position(after, CURSOR_SCOPE) or 0


MAX_PULL = 100_000


def _pull_problems(after: str | None, limit: str | None) -> tuple[list[DomainError], int, int]:
    """The bulk pull's parameters checked up front (nothing is streamed from a bad one):
    the problems, the start position and the number of changes wanted."""
    problems: list[DomainError] = []
    start, wanted = 0, 1000
    if limit is not None:
        if limit.isascii() and limit.isdigit() and len(limit) <= 6 and 1 <= int(limit) <= MAX_PULL:
            wanted = int(limit)
        else:
            problems.append(DomainError("limit", "range", f"an integer from 1 to {MAX_PULL}"))
    try:
        start = parse_cursor(after)
    except GraphQLError as exc:
        extensions = exc.extensions or {}
        message = exc.message.split(": ", 2)[-1]
        problems.append(DomainError("after", str(extensions.get("rule")), message))
    return problems, start, wanted


@strawberry.type(description="One published change; `id` is stable for de-duplication.")
class ChangeItem:
    id: strawberry.ID
    seq: int
    kind: str
    at: datetime
    record: JSON = strawberry.field(
        description="The record in the exchange format (schema/exchange)"
    )


@strawberry.type
class ChangePage:
    items: list[ChangeItem]
    end_cursor: str = strawberry.field(description="Pass as `after` to continue; stable for resume")
    has_more: bool


@strawberry.type
class SyncQuery:
    @strawberry.field(description="The ordered change feed from a cursor (omit it to start).")
    async def changes(self, info: Info, after: str | None = None, first: int = 100) -> ChangePage:
        if not 1 <= first <= feed.MAX_PAGE:
            raise bad_input("first", "range", f"first is between 1 and {feed.MAX_PAGE}")
        start = parse_cursor(after)
        page = await asyncio.to_thread(feed.read, ctx(info).store, start, first)
        return ChangePage(
            items=[
                mirror(ChangeItem, c, record=JSON(c.record.model_dump(mode="json")))
                for c in page.items
            ],
            end_cursor=encode_cursor(CURSOR_SCOPE, str(page.last_seq)),
            has_more=page.has_more,
        )


@strawberry.type
class WebhookSubscription:
    id: strawberry.ID
    url: str
    owner: str
    cursor: int = strawberry.field(description="Last change sequence delivered")
    attempts: int = strawberry.field(description="Failed attempts since the last success")
    active: bool
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed, as a category: forbidden_address, "
        "unresolvable, scheme, connection_refused, timeout, tls_error, connection_failed, "
        "redirect_not_followed, http_4xx, http_5xx, http_unexpected, secret_unavailable"
    )
    last_status: int | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None

    @staticmethod
    def of(w: dict[str, Any]) -> WebhookSubscription:
        return mirror(WebhookSubscription, native(w))


@strawberry.type
class SyncMutation:
    @strawberry.mutation(
        description="Subscribe a URL to the change feed; batches are POSTed "
        "signed with HMAC-SHA256 of '<timestamp>.<body>' under `secret`. The URL must be "
        "http(s) (https in production) to a public address; redirects are not followed."
    )
    async def register_webhook(self, info: Info, url: str, secret: str) -> WebhookSubscription:
        c = ctx(info)
        sub_id = await asyncio.to_thread(
            webhooks.register,
            c.store,
            c.settings.effective_secret(),
            url,
            secret,
            c.caller.subject,
            c.webhook_policy,
        )
        found = await asyncio.to_thread(webhooks.subscriptions, c.store, c.caller.subject)
        return next(WebhookSubscription.of(w) for w in found if w["id"] == sub_id)


@strawberry.type(description="A proposed name match of a listing that came without a USCC.")
class MatchCandidate(Mirror):
    id: strawberry.ID
    listing_id: strawberry.ID
    listed_name: str
    list: str
    organization_id: strawberry.ID
    organization_name: str
    organization_uscc: str
    score: float
    status: str

    differences: ClassVar[Differences] = {
        "listing_id": "listing",
        "organization_id": "org",
        "organization_name": "org_name",
        "organization_uscc": "org_uscc",
        "score": lambda c: float(c["score"]),
    }


@strawberry.type
class MatchQuery:
    @strawberry.field(description="Name matches waiting for (or past) a supervisor's decision.")
    async def match_candidates(
        self, info: Info, status: str | None = "OPEN", first: int = 50, after: str | None = None
    ) -> list[MatchCandidate]:
        c = ctx(info)
        size = page_size(first, c.max_page_size)
        start = decode_cursor(after, "matches") or ""
        found = await asyncio.to_thread(matching.candidates, c.store, status, start, size)
        return [MatchCandidate.of(x) for x in found]


@strawberry.type
class MatchMutation:
    @strawberry.mutation(
        description="Accept (link the listing to the organisation, so it counts "
        "for eligibility) or reject a proposed match; the decision is remembered."
    )
    async def decide_match(self, info: Info, id: strawberry.ID, accept: bool, reason: str) -> bool:
        c = ctx(info)
        if not reason.strip():
            raise bad_input("reason", "min_length", "give the reason for the decision")
        done = await asyncio.to_thread(
            matching.decide, c.store, str(id), accept, c.caller.subject, reason.strip()
        )
        if not done:
            raise not_found("id", str(id))
        return True


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Webhook subscriptions with their delivery state.")
    async def webhook_subscriptions(self, info: Info) -> list[WebhookSubscription]:
        c = ctx(info)
        found = await asyncio.to_thread(webhooks.subscriptions, c.store, c.rows.webhook_owner())
        return [WebhookSubscription.of(w) for w in found]


def sync_router(store: GraphStore, audit: AuditLog, table: PermissionTable) -> APIRouter:
    """GET /sync/changes?after=CURSOR&limit=N: NDJSON, one change per line, then a final
    `{"end_cursor": ...}` line, streamed page by page so a big pull holds little memory."""
    router = APIRouter()

    @router.get("/sync/changes")
    async def changes(
        request: Request, after: str | None = None, limit: str | None = None
    ) -> StreamingResponse:
        # Parameters are taken as text and checked here, so the caller is authorised (and the
        # call audited) before a bad one is answered 400, naming the field and the rule.
        problems, start, limit_n = _pull_problems(after, limit)
        await asyncio.to_thread(  # off the event loop: the audit event is durable before the stream
            authorise_and_audit,
            request,
            table,
            audit,
            "GET /sync/changes",
            {"after": after, "limit": limit},
            problems=problems,
        )

        async def lines() -> AsyncIterator[bytes]:
            position, left = start, limit_n
            while left > 0:
                page = await asyncio.to_thread(feed.read, store, position, min(left, feed.MAX_PAGE))
                for item in page.items:
                    yield item.model_dump_json().encode() + b"\n"
                position, left = page.last_seq, left - len(page.items)
                if not page.has_more:
                    break
            end = encode_cursor(CURSOR_SCOPE, str(position))
            yield b'{"end_cursor":"' + end.encode() + b'"}\n'

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    return router
