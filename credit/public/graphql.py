"""Public GraphQL at /public/graphql: a schema of its own with only the published fields, so
the authenticated /graphql stays closed to anonymous callers. Answers come from the same
cached service as GET /public/records."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.fastapi import GraphQLRouter
from strawberry.types import Info

from credit.api.mirror import mirror
from credit.public.rules import PublicInputError, search_params
from credit.public.service import PublicService


@strawberry.type(description="The party as the disclosure rules publish it")
class PublicSubject:
    kind: str
    name: str
    uscc: str | None
    masked_id_number: str | None
    roles: list[str]


@strawberry.type(description="A published penalty or serious-dishonesty list entry")
class PublicRecord:
    id: strawberry.ID
    url: str
    kind: str
    lists: list[str]
    subject: PublicSubject
    decision_number: str | None
    violation_type: str | None
    severity: str | None
    legal_basis: str | None
    penalty_types: list[str]
    penalty_content: str | None
    fine_amount: str | None
    fine_currency: str | None
    decision_date: date | None
    ban_start: date | None
    ban_end: date | None
    publication_end: date | None
    authority: str
    status: str
    list_name: str | None
    reference: str | None
    listed_on: date | None
    valid_until: date | None


@strawberry.type
class PublicRecordPage:
    as_of: date
    updated_at: str | None
    total: int
    page: int
    page_size: int
    records: list[PublicRecord]


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _record(raw: dict[str, Any]) -> PublicRecord:
    values = dict(raw)
    values["subject"] = PublicSubject(**raw["subject"])
    for key in (
        "decision_date",
        "ban_start",
        "ban_end",
        "publication_end",
        "listed_on",
        "valid_until",
    ):
        values[key] = _day(raw.get(key))
    return PublicRecord(**values)


def _service(info: Info[Any, Any]) -> PublicService:
    service: PublicService = info.context["service"]
    return service


@strawberry.type
class Query:
    @strawberry.field(description="The public view: name part or USCC, list, page from 1")
    def public_records(
        self, info: Info[Any, Any], q: str | None = None, list: str | None = None, page: int = 1
    ) -> PublicRecordPage:
        try:
            text, list_name, number = search_params(q, list, page)
        except PublicInputError as exc:
            raise ValueError(str(exc)) from None
        body = json.loads(_service(info).records(text, list_name, number).body)
        return mirror(
            PublicRecordPage,
            body,
            as_of=date.fromisoformat(body["as_of"]),
            records=[_record(r) for r in body["records"]],
        )

    @strawberry.field(description="One public record; null once it is no longer published")
    def public_record(self, info: Info[Any, Any], id: strawberry.ID) -> PublicRecord | None:
        answer = _service(info).record(str(id)[:200])
        if answer.status != 200:
            return None
        return _record(json.loads(answer.body)["record"])


SCHEMA = strawberry.Schema(
    query=Query,
    extensions=[
        lambda: QueryDepthLimiter(max_depth=4),
        lambda: MaxAliasesLimiter(max_alias_count=5),
        lambda: MaxTokensLimiter(max_token_count=400),
    ],
)


def public_graphql_router(service: PublicService) -> GraphQLRouter[Any, Any]:
    async def context() -> dict[str, Any]:
        return {"service": service}

    return GraphQLRouter(SCHEMA, graphql_ide=None, context_getter=context)
