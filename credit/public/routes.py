"""The public sub-application mounted at /public: the JSON API, the pages (web/public.html),
the public GraphQL schema and, for a signed-in SUPPLIER, its own report (credit/public/supplier.py
is not here: it needs a credential and lives behind the authenticated gate)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from credit.core.settings import Settings
from credit.core.store import GraphStore
from credit.public.gate import PublicAuditLog, PublicGate, _env_int, audit_path
from credit.public.graphql import public_graphql_router
from credit.public.rules import PublicInputError, search_params
from credit.public.service import Answer, PublicService
from credit.ui import CONTENT_SECURITY_POLICY, ui_dir


def _wants_page(request: Request) -> bool:
    """A browser navigating asks for HTML; API clients (and the pages' own fetches) for JSON."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _answer(request: Request, answer: Answer, max_age: int) -> Response:
    headers = {
        "etag": answer.etag,
        "cache-control": f"public, max-age={max_age}"
        if answer.status in (200, 410)
        else "no-store",
        "vary": "Accept",
    }
    if answer.status == 200 and answer.etag in _tags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(
        answer.body, status_code=answer.status, media_type="application/json", headers=headers
    )


def _tags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {t.strip().removeprefix("W/") for t in header.split(",")} | (
        {"*"} if header.strip() == "*" else set()
    )


def _page(folder: Path) -> Response:
    file = folder / "public.html"
    if not file.is_file():
        return PlainTextResponse("the pages are not built: run `make ui`", status_code=503)
    return Response(
        file.read_bytes(),
        media_type="text/html; charset=utf-8",
        headers={
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "cache-control": "public, max-age=300",
            "vary": "Accept",
        },
    )


def create_public_app(store: GraphStore, settings: Settings) -> PublicGate:
    """The /public application behind its own gate (limits, audit log)."""
    max_age = _env_int("CREDIT_PUBLIC_MAX_AGE", 60)
    service = PublicService(
        store,
        max_age=max_age,
        version_ttl=float(_env_int("CREDIT_PUBLIC_VERSION_TTL_MS", 1000)) / 1000,
    )
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    folder = ui_dir()

    @app.get("/")
    def index() -> Response:
        return _page(folder)

    @app.get("/records")
    def records(
        request: Request, q: str | None = None, list: str | None = None, page: str | None = None
    ) -> Response:
        """GET /public/records?q=&list=&page= : the public view, 20 records a page."""
        if _wants_page(request):
            return _page(folder)
        try:
            text, list_name, number = search_params(q, list, page)
        except PublicInputError as exc:
            return JSONResponse(
                {"error": "bad_input", "field": exc.field, "rule": exc.rule, "message": str(exc)},
                status_code=400,
                headers={"cache-control": "no-store"},
            )
        return _answer(request, service.records(text, list_name, number), max_age)

    @app.get("/records/{uid:path}")
    def record(request: Request, uid: str) -> Response:
        """GET /public/records/{id}: one record, or why it is no longer published (410)."""
        if _wants_page(request):
            return _page(folder)
        if len(uid) > 200:
            return JSONResponse(
                {
                    "error": "bad_input",
                    "field": "id",
                    "rule": "length",
                    "message": "id: length: at most 200 characters",
                },
                status_code=400,
            )
        return _answer(request, service.record(uid), max_age)

    app.include_router(public_graphql_router(service), prefix="/graphql")
    gate = PublicGate(app, PublicAuditLog(audit_path(settings.local_dir, settings.instance)), store)
    gate.service = service  # type: ignore[attr-defined]
    return gate
