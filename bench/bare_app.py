"""The API without authentication, permission checks and audit: the baseline that shows what
access control costs. Benchmarks only; never deployed (nothing in the package imports it)."""

from __future__ import annotations

from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from credit.api.schema import build_schema
from credit.api.types import Context
from credit.core.settings import get_settings
from credit.core.wiring import get_store
from credit.policy import load_policy
from credit.security.audit import AuditLog
from credit.security.permissions import Principal, Role, load_table

BENCH_PRINCIPAL = Principal("bench", "bench", frozenset({Role.SUPERVISOR}), "bench")


def create_bare_app() -> FastAPI:
    settings = get_settings()
    store = get_store()
    table = load_table()
    policy = load_policy(settings.policy_file)
    audit = AuditLog(store)  # present for the context type; nothing records to it
    schema = build_schema(settings)  # no audit log: no guard

    async def context_getter() -> Context:
        return Context(
            store, settings.max_page_size, table, BENCH_PRINCIPAL, audit, policy, settings
        )

    app = FastAPI()
    app.include_router(GraphQLRouter(schema, context_getter=context_getter), prefix="/graphql")
    return app
