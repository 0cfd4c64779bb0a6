"""The HTTP gate in front of the API: security headers, body-size limit, authentication and
per-principal rate limits. Only health checks, the GraphiQL page itself and the static files of
the pages (/ui) are anonymous."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from credit.security.auth import AuthError, authenticate, needs_lookup
from credit.settings import Settings
from credit.store import GraphStore

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class RateLimiter:
    """Token buckets per principal: a steady rate with a burst allowance."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if allowed now, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate if self.rate else 60.0


def _is_anonymous_path(scope: Scope) -> bool:
    path, method = scope["path"], scope["method"]
    if path.startswith("/health/"):
        return True
    if method in ("GET", "HEAD") and path == "/.well-known/credit-check-keys":
        return True  # the public keys that verify check records: evidence for anyone
    if method in ("GET", "HEAD") and (path == "/ui" or path.startswith("/ui/")):
        return True  # the pages' static files; their data comes from /graphql with a token
    if path == "/graphql" and method == "GET":  # the GraphiQL page; queries over GET need a token
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept", b"").decode("latin-1")
        return "text/html" in accept and b"query=" not in scope.get("query_string", b"")
    return False


async def _reply(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *SECURITY_HEADERS,
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _error(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, store: GraphStore) -> None:
        self.app = app
        self.settings = settings
        self.store = store
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        if _is_anonymous_path(scope):
            await self.app(scope, receive, send_with_headers)
            return

        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        limit = self.settings.max_body_bytes
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _reply(
                send, 413, _error("PAYLOAD_TOO_LARGE", f"request body over {limit} bytes"), []
            )
            return

        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        api_key = headers.get(b"x-api-key", b"").decode("latin-1") or None
        try:
            if needs_lookup(authorization, api_key):  # API keys are checked against the graph
                principal = await asyncio.to_thread(
                    authenticate, self.settings, self.store, authorization, api_key
                )
            else:  # a token verifies in microseconds: no thread hop
                principal = authenticate(self.settings, self.store, authorization, api_key)
        except AuthError as exc:
            await _reply(
                send,
                401,
                _error("UNAUTHENTICATED", str(exc)),
                [(b"www-authenticate", b'Bearer realm="procurement-credit"')],
            )
            return

        wait = self.limiter.take(principal.subject)
        if wait > 0:
            await _reply(
                send,
                429,
                _error("RATE_LIMITED", "too many requests; retry later"),
                [(b"retry-after", str(math.ceil(wait)).encode())],
            )
            return

        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
            return message

        scope.setdefault("state", {})["principal"] = principal
        try:
            await self.app(scope, bounded_receive, send_with_headers)
        except BodyTooLarge:
            await _reply(
                send, 413, _error("PAYLOAD_TOO_LARGE", f"request body over {limit} bytes"), []
            )


class BodyTooLarge(Exception):
    pass
