"""The gate in front of /public: anonymous, with its own limit per client address and its own
append-only audit log, apart from the authenticated service's (credit/security/middleware.py
passes /public straight here), so a public flood touches neither the principals' rate buckets
nor their hash-chained trail in the graph."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.security.limits import SharedRateLimiter
from credit.security.middleware import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    replay,
    retry_after,
    send_json,
)

PUBLIC_PREFIX = "/public"
MAX_BODY = 16_384  # a public GraphQL query is short
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def is_public_path(path: str) -> bool:
    return path == PUBLIC_PREFIX or path.startswith(PUBLIC_PREFIX + "/")


class PublicAuditLog:
    """One JSON line per answered public request (time, client address, method, path, status,
    size), each carrying the SHA-256 of the line before it, so a removed or altered line shows.
    A file, not the graph: a flood costs appends, not transactions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._previous = self._last_hash()
        self._end = path.stat().st_size if path.exists() else 0

    def _last_hash(self) -> str:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return "0" * 64
        with self.path.open("rb") as handle:
            handle.seek(max(0, self.path.stat().st_size - 8192))
            last = handle.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        return hashlib.sha256(last).hexdigest()

    def append(self, entry: dict[str, Any]) -> None:
        """Several workers of one host share the file (`credit serve --workers N`): each append
        holds the file's lock and, when another process wrote since, chains from the line on
        disk, not from the one this process wrote last."""
        with self._lock, self.path.open("ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                if handle.seek(0, os.SEEK_END) != self._end:
                    self._previous = self._last_hash()
                line = json.dumps({**entry, "prev": self._previous}, ensure_ascii=False).encode()
                handle.write(line + b"\n")
                handle.flush()
                self._end = handle.tell()
                self._previous = hashlib.sha256(line).hexdigest()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def verify_log(path: Path) -> int:
    """The number of lines if every line names its predecessor's hash; ValueError otherwise."""
    previous = "0" * 64
    count = 0
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if json.loads(line).get("prev") != previous:
            raise ValueError(f"line {number}: prev: chain.broken: a line before it was changed")
        previous = hashlib.sha256(line).hexdigest()
        count += 1
    return count


def audit_path(local_dir: Path, instance: str) -> Path:
    configured = os.environ.get("CREDIT_PUBLIC_AUDIT_LOG")
    return Path(configured) if configured else local_dir / f"public-audit-{instance}.jsonl"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw is None else int(raw)


async def _reply(
    send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"cache-control", b"no-store"), *HEADERS, *extra]
    await send_json(send, status, payload, headers, b"application/json; charset=utf-8")


async def _body(method: str, declared: bytes, receive: Receive) -> bytes | None:
    """The body of a POST (b"" for other methods), or None when it is too large."""
    if not declared.isdigit() or int(declared) > MAX_BODY:
        return None
    return await _bounded(receive) if method == "POST" else b""


async def _bounded(receive: Receive) -> bytes | None:
    """The whole request body, or None once it passes MAX_BODY (however it is sent)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class PublicGate:
    def __init__(self, app: ASGIApp, audit: PublicAuditLog, store: GraphStore) -> None:
        self.app = app
        self.audit = audit
        # One budget per client address for the whole deployment, whichever worker or host
        # the request reaches (credit/security/limits.py), in buckets apart from the API's.
        # The address is the peer's, or the one a trusted proxy forwards (`credit serve`).
        self.limiter = SharedRateLimiter(
            store,
            "public",
            _env_int("CREDIT_PUBLIC_RATE_PER_MINUTE", 600),
            _env_int("CREDIT_PUBLIC_RATE_BURST", 120),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = str((scope.get("client") or ("unknown",))[0])
        method, path = scope["method"], scope["path"]
        outcome: MutableMapping[str, int] = {"status": 0, "bytes": 0}

        async def answered(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = int(message["status"])
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = [*headers, *HEADERS]
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        allowed = method in ("GET", "HEAD") or (method == "POST" and path == "/public/graphql")
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not allowed:
            await _reply(
                answered,
                405,
                {"error": "method", "message": f"method: allowed: {method} is not answered here"},
                [(b"allow", b"GET, HEAD")],
            )
        elif (wait := await self.limiter.take(address)) > 0:
            await _reply(
                answered,
                429,
                {"error": "rate_limited", "message": "too many requests from this address"},
                retry_after(wait),
            )
        elif (body := await _body(method, declared, receive)) is None:
            await _reply(
                answered,
                413,
                {"error": "too_large", "message": f"body: size: at most {MAX_BODY} bytes"},
                [],
            )
        else:
            await self.app(
                scope, receive if method != "POST" else replay(body or b"", receive), answered
            )
        query = scope.get("query_string", b"").decode("latin-1")[:200]
        self.audit.append(
            {
                "at": datetime.now(UTC).isoformat(),
                "address": address,
                "method": method,
                "path": path[:200] + (f"?{query}" if query else ""),
                "status": outcome["status"],
                "bytes": outcome["bytes"],
            }
        )
