"""Webhooks: push the change feed to subscribers, signed, retried, at least once.

Each subscription keeps its own cursor into the feed. A batch is POSTed with an HMAC-SHA256
signature over "<timestamp>.<body>" (receivers reject timestamps outside a replay window);
a failed delivery is retried with exponential backoff and the cursor only moves on a 2xx,
so nothing is lost; the change ids let the receiver drop what it already has. Where a batch may
go is decided by credit/sync/destinations.py, at registration and again at each delivery.
Several deliverers (`credit webhooks run` on several hosts) may run at once: each batch is sent
under a lease on its subscription, taken by compare-and-set on the cursor, so one deliverer
sends it and the others pass it by.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import json
import ssl
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.fernet import Fernet, InvalidToken

from credit.core.failures import translate
from credit.core.settings import Environment, Settings, get_settings
from credit.core.store import GraphStore
from credit.domain.errors import DomainError
from credit.sync import destinations, feed
from graph import webhook_queries as webhook_q

SIGNATURE_HEADER = "X-Credit-Signature"
TIMESTAMP_HEADER = "X-Credit-Timestamp"
DELIVERY_HEADER = "X-Credit-Delivery"
REPLAY_WINDOW_S = 300
BATCH = 100
BASE_BACKOFF_S = 2.0
MAX_BACKOFF_S = 3600.0


class WebhookError(DomainError):
    """A subscription refused (its URL, its secret, its owner)."""


def _fernet(deployment_secret: str) -> Fernet:
    """Subscriber secrets are needed to sign, so they are kept encrypted, not hashed."""
    key = hashlib.sha256(b"webhook-secrets:" + deployment_secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """For receivers: the signature matches and its timestamp is inside the replay window."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > REPLAY_WINDOW_S:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def policy_from_settings(settings: Settings | None = None) -> destinations.Policy:
    """Production sends over https only; an internal receiver only if CREDIT_WEBHOOK_ALLOW
    names it."""
    settings = settings or get_settings()
    return destinations.Policy.parse(
        settings.env is Environment.PRODUCTION, settings.webhook_allow_entries
    )


def register(
    store: GraphStore,
    deployment_secret: str,
    url: str,
    secret: str,
    owner: str,
    policy: destinations.Policy,
) -> str:
    try:
        destinations.check(url, policy)
    except destinations.DestinationError as exc:
        raise WebhookError(exc.field, exc.rule, str(exc)) from None
    if len(secret) < 16:
        raise WebhookError("secret", "min_length", "a webhook secret has at least 16 characters")
    sub_id = f"webhook:{uuid.uuid4().hex}"
    token = _fernet(deployment_secret).encrypt(secret.encode()).decode()
    store.write(webhook_q.WEBHOOK_CREATE, id=sub_id, url=url, secret=token, owner=owner)
    return sub_id


@dataclass(frozen=True)
class Attempt:
    subscription: str
    first_seq: int | None
    last_seq: int | None
    status: int | None
    error: str | None


def deliver_due(
    store: GraphStore,
    deployment_secret: str,
    now: datetime | None = None,
    timeout: float = 10.0,
    policy: destinations.Policy | None = None,
) -> list[Attempt]:
    """One pass: every active subscription that is due gets at most one batch."""
    moment = now or datetime.now(UTC)
    rules = policy or policy_from_settings()
    attempts = []
    for row in store.read(webhook_q.WEBHOOKS_DUE, now=moment):
        attempt = _deliver(store, deployment_secret, row["w"], moment, timeout, rules)
        if attempt is not None:
            attempts.append(attempt)
    return attempts


# What `lastError` may say: a category, never the raw connection error (which would tell a
# subscriber what listens on an address: a port scanner).
ERROR_CATEGORIES = (
    "forbidden_address",  # the URL is or resolves to an address we do not send to
    "unresolvable",
    "scheme",  # e.g. an http URL once the deployment runs in production
    "connection_refused",
    "timeout",
    "tls_error",
    "connection_failed",  # any other network or protocol failure
    "redirect_not_followed",
    "http_4xx",
    "http_5xx",
    "http_unexpected",
    "secret_unavailable",  # the deployment key changed; the secret cannot be decrypted
)


def _error_category(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return "tls_error"
        if isinstance(seen, ConnectionRefusedError) or (
            isinstance(seen, OSError) and seen.errno == errno.ECONNREFUSED
        ):
            return "connection_refused"
        seen = seen.__cause__ or seen.__context__
    return "connection_failed"


def _status_category(status: int) -> str:
    if 300 <= status < 400:
        return "redirect_not_followed"
    if 400 <= status < 500:
        return "http_4xx"
    if 500 <= status < 600:
        return "http_5xx"
    return "http_unexpected"


def _request_url(url: str, target: destinations.Target) -> str:
    """The URL with an address host in canonical form (decimal, octal or hex forms rewritten)."""
    if target.address is None:
        return url
    parts = urllib.parse.urlsplit(url)
    host = f"[{target.host}]" if target.address.version == 6 else target.host
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{host}:{target.port}"))


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float, policy: destinations.Policy
) -> httpx.Response:
    """Check the URL again, resolving now, and POST to the checked address; no redirects."""
    target, address = destinations.check(url, policy)
    with httpx.Client(
        transport=destinations.PinnedTransport(address),
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
    ) as client:
        return client.post(_request_url(url, target), content=body, headers=headers)


def _deliver(
    store: GraphStore,
    deployment_secret: str,
    sub: dict[str, Any],
    now: datetime,
    timeout: float,
    policy: destinations.Policy,
) -> Attempt | None:
    """Send the next batch, or None when another deliverer holds the subscription's lease or
    has moved its cursor since it was read."""
    page = feed.read(store, int(sub["cursor"]), BATCH)
    if not page.items:
        return Attempt(sub["id"], None, None, None, None)
    lease = uuid.uuid4().hex
    # Held for longer than the POST can take; a deliverer that dies holding it delays the
    # subscription until then, and the batch is sent again (at least once, never in parallel).
    until = now + timedelta(seconds=2 * timeout + 30)
    claimed = store.write(
        webhook_q.WEBHOOK_CLAIM,
        id=sub["id"],
        cursor=int(sub["cursor"]),
        now=now,
        lease=lease,
        until=until,
    )
    if not claimed:
        return None
    sub = {**sub, "lease": lease}
    body = json.dumps(
        {"subscription": sub["id"], "items": [i.model_dump(mode="json") for i in page.items]},
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    try:
        secret = _fernet(deployment_secret).decrypt(sub["secret"].encode()).decode()
    except InvalidToken:
        return _failed(store, sub, now, None, "secret_unavailable")
    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: uuid.uuid4().hex,
    }
    first, last = page.items[0].seq, page.items[-1].seq
    try:
        response = post(sub["url"], body, headers, timeout, policy)
    except destinations.DestinationError as exc:
        return _failed(store, sub, now, None, exc.rule, first, last)
    except httpx.InvalidURL:
        return _failed(store, sub, now, None, "connection_failed", first, last)
    except httpx.HTTPError as exc:
        return _failed(store, sub, now, None, _error_category(exc), first, last)
    if 200 <= response.status_code < 300:
        store.write(
            webhook_q.WEBHOOK_DELIVERED,
            id=sub["id"],
            lease=lease,
            cursor=last,
            now=now,
            first=first,
            last=last,
            status=response.status_code,
        )
        return Attempt(sub["id"], first, last, response.status_code, None)
    return _failed(
        store, sub, now, response.status_code, _status_category(response.status_code), first, last
    )


def _failed(
    store: GraphStore,
    sub: dict[str, Any],
    now: datetime,
    status: int | None,
    error: str,
    first: int | None = None,
    last: int | None = None,
) -> Attempt:
    attempts = int(sub.get("attempts") or 0) + 1
    delay = min(MAX_BACKOFF_S, BASE_BACKOFF_S * 2 ** (attempts - 1))
    store.write(
        webhook_q.WEBHOOK_FAILED,
        id=sub["id"],
        lease=sub["lease"],
        attempts=attempts,
        error=error,
        status=status,
        next_at=now + timedelta(seconds=delay),
        now=now,
        first=first,
        last=last,
    )
    return Attempt(sub["id"], first, last, status, error)


def subscriptions(store: GraphStore, owner: str | None) -> list[dict[str, Any]]:
    return [r["w"] for r in store.read(webhook_q.WEBHOOKS_LIST, owner=owner)]


def run(
    store: GraphStore,
    deployment_secret: str,
    interval: float,
    once: bool,
    report: Callable[[Attempt], None],
    say: Callable[[str], None],
) -> None:
    """Delivery passes every `interval` seconds. While Neo4j is unavailable the runner pauses
    and tries again with backoff; the cursors live in the graph, so it resumes by itself where
    each subscription stood (a batch sent but not yet recorded is sent again: at least once)."""
    paused, wait = False, interval
    while True:
        try:
            attempts = deliver_due(store, deployment_secret)
        except Exception as exc:
            if once or translate(exc) is None:
                raise
            if not paused:
                say("webhooks paused: Neo4j unavailable; the cursors are kept in the graph")
                paused = True
            wait = min(max(wait * 2, 1.0), 30.0)
            time.sleep(wait)
            continue
        if paused:
            say("webhooks resumed")
            paused, wait = False, interval
        for attempt in attempts:
            report(attempt)
        if once:
            return
        time.sleep(interval)
