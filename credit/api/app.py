"""The FastAPI application: GraphQL (with GraphiQL) and health checks."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from credit.api.schema import build_schema
from credit.api.types import Context
from credit.services import get_store
from credit.settings import Environment, get_settings


def create_app() -> FastAPI:
    settings = get_settings()
    store = get_store()
    schema = build_schema(settings)

    async def context_getter() -> Context:
        return Context(store, settings.max_page_size)

    router: GraphQLRouter[Context, None] = GraphQLRouter(
        schema,
        context_getter=context_getter,
        graphql_ide="graphiql" if settings.env is not Environment.PRODUCTION else None,
    )
    app = FastAPI(title="Procurement credit-record system", docs_url=None, redoc_url=None)
    app.include_router(router, prefix="/graphql")

    @app.get("/health/live")
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready")
    def ready() -> Any:
        try:
            store.driver.verify_connectivity()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
        return {"status": "ok"}

    return app
