"""The FastAPI application: GraphQL (with GraphiQL), health checks, and the security gate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from credit.api.graphiql import CreditGraphQLRouter
from credit.api.schema import build_schema
from credit.api.sync import sync_router
from credit.api.types import Context
from credit.checks.log import signing_keys
from credit.checks.signing import load_signer
from credit.policy import load_policy
from credit.public.routes import create_public_app
from credit.public.supplier import supplier_router
from credit.security.audit import AuditLog
from credit.security.middleware import SecurityMiddleware
from credit.security.permissions import load_table
from credit.services import get_store
from credit.settings import Environment, Settings, get_settings
from credit.ui import mount_ui, session_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    store = get_store()
    table = load_table()
    audit = AuditLog(store)
    policy = load_policy(settings.policy_file)  # an invalid policy stops start-up, naming the key
    schema = build_schema(settings, table, audit)
    signer = load_signer(settings)  # a missing or unusable check-signing key stops start-up

    async def context_getter(request: Request) -> Context:
        principal = getattr(request.state, "principal", None)
        return Context(store, settings.max_page_size, table, principal, audit, policy)

    router = CreditGraphQLRouter(
        schema,
        context_getter=context_getter,
        graphql_ide="graphiql" if settings.env is not Environment.PRODUCTION else None,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        audit.flush()

    app = FastAPI(
        title="Procurement credit-record system",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(sync_router(store, audit))
    app.include_router(session_router(settings, table, audit))
    app.include_router(supplier_router(store, table, audit, policy))  # a supplier's own report
    mount_ui(app)
    app.mount("/public", create_public_app(store, settings))  # anonymous, own gate and audit
    app.state.audit = audit

    @app.get("/health/live")
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/.well-known/credit-check-keys")
    def check_keys() -> Any:
        """The public keys that sign check records and tree heads (anonymous): older keys
        stay listed, so records signed before a rotation still verify."""
        return {"keys": signing_keys(store, signer)}

    @app.get("/health/ready")
    def ready() -> Any:
        try:
            store.driver.verify_connectivity()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
        return {"status": "ok"}

    app.add_middleware(SecurityMiddleware, settings=settings, store=store, audit=audit)
    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-api-key"],
        )
    return app
