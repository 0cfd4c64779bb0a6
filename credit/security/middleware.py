"""The HTTP gate in front of the API: security headers, body-size and body-shape limits,
authentication, a limit on failed sign-ins per client address and per-principal rate limits.
Only health checks, the GraphiQL page itself and the static files of the pages (/ui) are
anonymous. Every other request it answers is on the audit trail: its own refusals here, and
any answer the operation behind it did not audit itself (see `AUDITED`)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from credit.core.failures import translate
from credit.core.settings import Settings
from credit.core.store import GraphStore
from credit.observability.logs import PRINCIPAL_ID, current_request_id
from credit.observability.metrics import count_errors
from credit.security.audit import AuditEvent, AuditLog, result_hash
from credit.security.auth import (
    AuthError,
    authenticate,
    check_session_key,
    needs_lookup,
    session_key,
    verify_credential,
)
from credit.security.limits import SharedRateLimiter
from credit.security.permissions import Principal

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
# Request state keys: an operation that writes its own audit event sets AUDITED (so the gate
# does not add a second one); CHARGE takes more of the caller's rate allowance (operations).
AUDITED, CHARGE = "audited", "charge_operations"
MAX_JSON_DEPTH = 32  # records and inputs nest a few levels; thousands crash JSON readers
GRAPHQL_JSON_PARAMS = ("variables", "extensions")


def _is_anonymous_path(scope: Scope) -> bool:
    path, method = scope["path"], scope["method"]
    if path.startswith("/health/"):
        return True
    if method in ("GET", "HEAD") and path == "/.well-known/credit-check-keys":
        return True  # the public keys that verify check records: evidence for anyone
    if method in ("GET", "HEAD") and path == "/favicon.ico":
        return True  # the pages' icon, which browsers ask for on their own (credit/ui)
    if method in ("GET", "HEAD") and (path == "/ui" or path.startswith("/ui/")):
        return True  # the pages' static files; their data comes from /graphql with a token
    if path == "/graphql" and method == "GET":
        # The GraphiQL page alone: no parameters at all, however they are spelled or encoded.
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept", b"").decode("latin-1")
        return "text/html" in accept and not scope.get("query_string")
    return False


def _deeper_than(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        for child in item.values() if type(item) is dict else item:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def json_problem(raw: bytes | str, want_object: bool) -> tuple[str, str] | None:
    """(rule, message) when `raw` is not JSON nested at most MAX_JSON_DEPTH levels (or, when
    an object is wanted, not an object); None when it is fine."""
    try:
        value = json.loads(raw)
    except RecursionError:
        return "depth", f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    except ValueError:  # malformed JSON or text that is not UTF-8/16/32
        return "json", "not valid JSON"
    text = raw.encode() if isinstance(raw, str) else raw
    few = text.count(b"[") + text.count(b"{") <= MAX_JSON_DEPTH  # then it cannot nest deeper
    if not few and isinstance(value, dict | list) and _deeper_than(value, MAX_JSON_DEPTH):
        return "depth", f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    if want_object and not isinstance(value, dict):
        return "object", "a JSON object is expected"
    return None


def _graphql_params_problem(scope: Scope) -> tuple[str, str, str] | None:
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        wanted = name in GRAPHQL_JSON_PARAMS and value not in ("", "null")
        if wanted and (problem := json_problem(value, want_object=True)) is not None:
            return (name, *problem)
    return None


async def send_json(
    send: Send,
    status: int,
    payload: bytes,
    headers: list[tuple[bytes, bytes]],
    content_type: bytes = b"application/json",
) -> None:
    """Answer with a JSON body the layer writes itself (the gates, the failure answer)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def error_body(
    code: str, message: str, request_id: str | None = None, **extensions: Any
) -> dict[str, Any]:
    """A GraphQL-shaped error answer, with the request id the logs and the audit event carry."""
    ids = {"requestId": current_request_id() if request_id is None else request_id}
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions, **ids}}]}


def retry_after(seconds: float | None) -> list[tuple[bytes, bytes]]:
    """The Retry-After header for a wait of `seconds` (none when the wait is not known)."""
    return [] if seconds is None else [(b"retry-after", str(math.ceil(seconds)).encode())]


def _outcome(status: int, errors: bool) -> str:
    if status in (401, 403, 413, 429):
        return "denied"
    return "error" if status >= 400 or errors else "ok"


class SecurityMiddleware:
    def __init__(
        self, app: ASGIApp, settings: Settings, store: GraphStore, audit: AuditLog
    ) -> None:
        self.app = app
        self.settings = settings
        self.store = store
        self.audit = audit
        # Shared by every process and host of the deployment (credit/security/limits.py).
        self.limiter = SharedRateLimiter(
            store, "api", settings.rate_limit_per_minute, settings.rate_limit_burst
        )
        self.failures = SharedRateLimiter(
            store, "signin", settings.auth_failures_per_minute, settings.auth_failure_burst, lease=1
        )

    async def _record(
        self, scope: Scope, principal: Principal | None, outcome: str, digest: str
    ) -> None:
        address = (scope.get("client") or ("unknown",))[0]
        headers = dict(scope.get("headers") or [])
        # For a caller not signed in: the kind of credential presented (never its value).
        presented = (
            "apikey"
            if b"x-api-key" in headers or b"ck_" in headers.get(b"authorization", b"")
            else "bearer"
            if b"authorization" in headers
            else ""
        )
        await asyncio.to_thread(
            self.audit.record,
            AuditEvent(
                actor=principal.subject if principal else f"anonymous:{address}",
                actor_name=principal.name if principal else "anonymous",
                roles=tuple(sorted(principal.roles)) if principal else (),
                credential=principal.credential if principal else presented,
                operation=f"{scope['method']} {scope['path'][:200]}",
                targets=(),
                outcome=outcome,
                result_hash=digest,
            ),
        )

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        principal: Principal | None,
        status: int,
        body: dict[str, Any],
        headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        """Answer for the gate itself, and put the answer on the audit trail."""
        count_errors(str(e["extensions"]["code"]) for e in body.get("errors", []))
        await self._record(scope, principal, _outcome(status, True), result_hash(body))
        await send_json(send, status, json.dumps(body).encode(), [*SECURITY_HEADERS, *headers])

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
        if scope["path"] == "/public" or scope["path"].startswith("/public/"):
            await self.app(scope, receive, send)  # anonymous: credit/public/gate.py limits, audits
            return

        headers = dict(scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        api_key = headers.get(b"x-api-key", b"").decode("latin-1") or None
        address = (scope.get("client") or ("unknown",))[0]
        presented = bool(authorization or api_key)
        if presented and (wait := self.failures.wait(address)) > 0:
            # Guessing credentials: refused before any key is looked up in the graph.
            body = error_body(
                "RATE_LIMITED", "too many failed sign-ins from this address; retry later"
            )
            await self._refuse(scope, send, None, 429, body, retry_after(wait))
            return
        try:
            principal = await self._authenticate(authorization, api_key)
        except AuthError as exc:
            if presented:
                await self._count_failure(address)
            await self._refuse(
                scope,
                send,
                None,
                401,
                error_body("UNAUTHENTICATED", str(exc)),
                [(b"www-authenticate", b'Bearer realm="procurement-credit"')],
            )
            return
        except Exception as exc:
            # An API key or a session is looked up in the graph, and Neo4j is down.
            await self._refuse_outage(scope, send, None, exc)
            return

        PRINCIPAL_ID.set(principal.subject)
        try:
            wait = await self.limiter.take(principal.subject)
        except Exception as exc:  # the shared buckets are in the graph too
            await self._refuse_outage(scope, send, principal, exc)
            return
        if wait > 0:
            body = error_body("RATE_LIMITED", "too many requests; retry later")
            await self._refuse(scope, send, principal, 429, body, retry_after(wait))
            return

        limit = self.settings.max_body_bytes
        too_large = error_body("PAYLOAD_TOO_LARGE", f"request body over {limit} bytes")
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, send, principal, 413, too_large)
            return

        downstream: Receive = receive
        if scope["path"] == "/graphql":
            checked = await self._checked_graphql_input(scope, receive, limit)
            if isinstance(checked, tuple):
                status, body = checked
                await self._refuse(scope, send, principal, status, body)
                return
            downstream = checked
        else:
            received = 0

            async def bounded_receive() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
                return message

            downstream = bounded_receive

        state = scope.setdefault("state", {})
        state["principal"] = principal
        state[AUDITED] = False
        state[CHARGE] = lambda count: self.limiter.take(principal.subject, count)  # awaitable
        answer = _Answer(send_with_headers, state)
        try:
            await self.app(scope, downstream, answer.send)
        except BodyTooLarge:
            await self._refuse(scope, send, principal, 413, too_large)
            return
        if not state[AUDITED] and answer.status is not None:
            # Answered without an operation's own event (a malformed request, an unknown path):
            # the gate records it, so no answered request is missing from the trail.
            outcome = _outcome(answer.status, answer.errors)
            await self._record(scope, principal, outcome, answer.digest.hexdigest())

    async def _refuse_outage(
        self, scope: Scope, send: Send, principal: Principal | None, exc: Exception
    ) -> None:
        if (outage := translate(exc)) is None:
            raise exc
        body = error_body(outage.code, outage.message)
        await self._refuse(
            scope, send, principal, outage.status, body, retry_after(outage.retry_after)
        )

    async def _count_failure(self, address: str) -> None:
        """A failed sign-in takes a unit of the address's shared allowance; while Neo4j is away
        the failure cannot be counted (nor can any key be looked up)."""
        try:
            await self.failures.take(address)
        except Exception as exc:
            if translate(exc) is None:
                raise

    async def _authenticate(self, authorization: str | None, api_key: str | None) -> Principal:
        if needs_lookup(authorization, api_key):  # API keys are checked against the graph
            return await asyncio.to_thread(
                authenticate, self.settings, self.store, authorization, api_key
            )
        # A token verifies in microseconds, no thread hop; a session's key is then looked up.
        principal = verify_credential(self.settings, self.store, authorization, api_key)
        if (key := session_key(principal)) is not None:
            await asyncio.to_thread(check_session_key, self.store, key)
        return principal

    async def _checked_graphql_input(
        self, scope: Scope, receive: Receive, limit: int
    ) -> Receive | tuple[int, dict[str, Any]]:
        """The request's body read whole (it is bounded) and replayed, once it is a JSON object
        nested within the limit; or the refusal (status, body) naming the field and rule."""
        if scope["method"] != "POST":
            problem = _graphql_params_problem(scope)
            if problem is None:
                return receive
            field, rule, text = problem
            return 400, error_body(
                "BAD_USER_INPUT", f"{field}: {rule}: {text}", field=field, rule=rule
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return receive  # the client went away; nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return 413, error_body("PAYLOAD_TOO_LARGE", f"request body over {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = dict(scope.get("headers") or [])
        if b"application/json" in headers.get(b"content-type", b""):
            problem_found = json_problem(body, want_object=True)
            if problem_found is not None:
                rule, text = problem_found
                return 400, error_body(
                    "BAD_USER_INPUT", f"body: {rule}: {text}", field="body", rule=rule
                )
        return replay(body, receive)


class _Answer:
    """Passes the response on, noting its status, whether it reports errors, and its hash."""

    def __init__(self, send: Send, state: dict[str, Any]) -> None:
        self._send = send
        self._state = state  # once the operation audits itself, nothing here is needed
        self.status: int | None = None
        self.digest = hashlib.sha256()
        self._first = b""

    @property
    def errors(self) -> bool:
        """Whether the answer reports errors (a GraphQL answer says so in its first part)."""
        return self._first.find(b'"errors":', 0, 1_000_000) >= 0

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        elif message["type"] == "http.response.body" and not self._state[AUDITED]:
            chunk = message.get("body", b"")
            self._first = self._first or chunk
            self.digest.update(chunk)
        await self._send(message)


class BodyTooLarge(Exception):
    pass


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the app a body already read whole, then the rest as sent."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again
