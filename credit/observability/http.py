"""The outermost HTTP layer: a request id for every request (the caller's X-Request-Id when it
is sane), echoed in the X-Request-Id response header; one JSON access line; request metrics;
and a clean JSON answer instead of a 500 page and a trace when something below fails (503
UNAVAILABLE with Retry-After while Neo4j is down, per credit/api/errors.py)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from credit.core.failures import translate
from credit.core.store import GraphStore
from credit.observability import metrics
from credit.observability.logs import OPERATION, PRINCIPAL_ID, REQUEST_ID, request_id_from
from credit.security.middleware import (
    SECURITY_HEADERS,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    error_body,
    retry_after,
    send_json,
)

log = logging.getLogger("credit.http")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, store: GraphStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = request_id_from(headers.get(b"x-request-id"))
        tokens = (REQUEST_ID.set(request_id), PRINCIPAL_ID.set(""), OPERATION.set(""))
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if status is not None:  # the answer has begun; nothing clean can be said now
                log.exception("failed while answering")
                raise
            status = await self._answer_failure(exc, request_id, send)
        finally:
            self._observe(scope, status, time.perf_counter() - started)
            REQUEST_ID.reset(tokens[0])
            PRINCIPAL_ID.reset(tokens[1])
            OPERATION.reset(tokens[2])

    async def _answer_failure(self, exc: Exception, request_id: str, send: Send) -> int:
        translation = translate(exc)
        headers: list[tuple[bytes, bytes]] = []
        if translation is not None:
            log.warning("answered %s: %s", translation.code, type(exc).__name__)
            status, code, message = translation.status, translation.code, translation.message
            headers = retry_after(translation.retry_after)
        else:
            log.error("unexpected error", exc_info=exc)
            status, code, message = 500, "INTERNAL", "internal error; quote the request id"
        metrics.count_errors([code])
        body = json.dumps(error_body(code, message, request_id)).encode()
        own = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS, *headers]
        await send_json(send, status, body, own)
        return status

    def _observe(self, scope: Scope, status: int | None, seconds: float) -> None:
        route = metrics.route_of(scope["path"])
        shown = str(status) if status is not None else "none"
        metrics.HTTP_REQUESTS.labels(route=route, method=scope["method"], status=shown).inc()
        metrics.HTTP_LATENCY.labels(route=route).observe(seconds)
        metrics.observe_pool(self.store.driver)
        extra: dict[str, Any] = {
            "method": scope["method"],
            "path": scope["path"][:200],
            "status": status,
            "durationMs": round(seconds * 1000, 1),
        }
        log.info("%s %s %s", scope["method"], scope["path"][:200], shown, extra=extra)
