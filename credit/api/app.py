"""The FastAPI application: GraphQL (with GraphiQL), health checks, metrics, and the security
gate, behind a layer that gives every request an id, a log line and its metrics."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request as StarletteRequest
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from credit.api.errors import UNAVAILABLE, http_refusal
from credit.api.gate import authorise_and_audit
from credit.api.graphiql import CreditGraphQLRouter
from credit.api.schema import build_schema
from credit.api.sync import sync_router
from credit.api.types import Context
from credit.checks.log import signing_keys
from credit.checks.signing import load_signer
from credit.core.settings import Environment, Settings, get_settings
from credit.core.wiring import get_store
from credit.detection.registry import default_settings
from credit.domain.errors import DomainError
from credit.observability import logs, metrics
from credit.observability.http import ObservabilityMiddleware
from credit.oversight.config import load_plan_rules
from credit.policy import load_policy
from credit.public.routes import create_public_app
from credit.public.supplier import supplier_router
from credit.security.audit import AuditLog
from credit.security.middleware import SecurityMiddleware
from credit.security.permissions import load_table
from credit.ui import mount_ui, session_router


class ObservedRouter(CreditGraphQLRouter):
    """Every GraphQL error names the request (extensions.requestId); an answer whose errors
    include UNAVAILABLE is HTTP 503 with Retry-After, so clients and proxies back off."""

    async def process_result(
        self, request: StarletteRequest, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data = await super().process_result(request, result)
        request_id = logs.current_request_id()
        for error in data.get("errors") or []:
            if isinstance(error, dict):  # GraphQL's formatted errors
                error["extensions"] = {**(error.get("extensions") or {}), "requestId": request_id}
        return data

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        answers = response_data if isinstance(response_data, list) else [response_data]
        codes = {
            (error.get("extensions") or {}).get("code")
            for answer in answers
            for error in answer.get("errors") or []
            if isinstance(error, dict)
        }
        if UNAVAILABLE.code in codes:
            response.status_code = UNAVAILABLE.status
            response.headers["retry-after"] = str(UNAVAILABLE.retry_after)
        return response


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if os.environ.get("CREDIT_LOG_FORMAT") == "json":  # `credit serve` sets it, each worker
        logs.configure()
    store = get_store()
    table = load_table()
    audit = AuditLog(store)
    policy = load_policy(settings.policy_file)  # an invalid policy stops start-up, naming the key
    schema = build_schema(settings, table, audit)
    signer = load_signer(settings)  # a missing or unusable check-signing key stops start-up
    plan_rules, detectors = load_plan_rules(), default_settings()

    async def context_getter(request: Request) -> Context:
        principal = getattr(request.state, "principal", None)
        return Context(
            store,
            settings.max_page_size,
            table,
            principal,
            audit,
            policy,
            settings,
            signer=signer,
            plan_rules=plan_rules,
            detectors=detectors,
        )

    router = ObservedRouter(
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
    app.add_exception_handler(DomainError, http_refusal)
    app.include_router(router, prefix="/graphql")
    app.include_router(sync_router(store, audit, table))
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

    @app.get("/metrics")
    def metrics_page(request: Request) -> Response:
        """Prometheus text for ADMIN principals only (README: Seeing inside)."""
        authorise_and_audit(request, table, audit, "GET /metrics", {"route": "GET /metrics"})
        body, media_type = metrics.render(store)
        return Response(body, media_type=media_type)

    app.add_middleware(SecurityMiddleware, settings=settings, store=store, audit=audit)
    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-api-key", "x-request-id"],
            expose_headers=["x-request-id"],
        )
    app.add_middleware(ObservabilityMiddleware, store=store)  # outermost: ids every request
    return app
