"""Attacks on webhooks (issue 14, finding 3): a subscriber points the delivery worker inside the
network it runs in. Each test reproduces one way in; receivers are real HTTP servers on loopback,
and the name resolver of credit/sync/destinations.py stands in for DNS (the outside system)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from ipaddress import ip_address
from typing import Any

import pytest

from credit.core.settings import Settings, get_settings
from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.security.permissions import Role
from credit.sync import destinations, webhooks
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

SECRET = "receiver-shared-secret-0123456789"
REGISTER = "mutation($u: String!, $s: String!) { registerWebhook(url: $u, secret: $s) { id } }"
OPEN = destinations.Policy.parse(False, [])

# Every form of an internal address a subscriber tried, with the rule that refuses it.
REFUSED_AT_REGISTRATION = [
    ("http://127.0.0.1:7687/", "forbidden_address"),
    ("http://localhost:8000/", "forbidden_address"),
    ("http://LOCALHOST./", "forbidden_address"),
    ("http://app.localhost/", "forbidden_address"),
    ("http://[::1]:7687/", "forbidden_address"),
    ("http://169.254.169.254/latest/meta-data/", "forbidden_address"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "forbidden_address"),
    ("http://metadata.google.internal/computeMetadata/v1/", "forbidden_address"),
    ("http://100.100.100.200/latest/meta-data/", "forbidden_address"),
    ("http://10.0.0.5/", "forbidden_address"),
    ("http://172.16.3.4/", "forbidden_address"),
    ("http://192.168.1.1/", "forbidden_address"),
    ("http://[fc00::1]/", "forbidden_address"),
    ("http://[fd12:3456::1]/", "forbidden_address"),
    ("http://169.254.1.1/", "forbidden_address"),
    ("http://[fe80::1]/", "forbidden_address"),
    ("http://224.0.0.251/", "forbidden_address"),
    ("http://[ff02::1]/", "forbidden_address"),
    ("http://0.0.0.0:7687/", "forbidden_address"),
    ("http://[::]/", "forbidden_address"),
    ("http://100.64.0.1/", "forbidden_address"),
    ("http://198.18.0.1/", "forbidden_address"),
    ("http://192.0.2.10/", "forbidden_address"),
    ("http://240.0.0.1/", "forbidden_address"),
    ("http://255.255.255.255/", "forbidden_address"),
    ("http://[::ffff:127.0.0.1]/", "forbidden_address"),
    ("http://[::ffff:169.254.169.254]/", "forbidden_address"),
    ("http://[64:ff9b::a9fe:a9fe]/", "forbidden_address"),
    ("http://[2002:7f00:1::]/", "forbidden_address"),
    ("http://2130706433/", "forbidden_address"),
    ("http://0177.0.0.1/", "forbidden_address"),
    ("http://0x7f000001/", "forbidden_address"),
    ("http://0x7f.0.0.1/", "forbidden_address"),
    ("http://127.1/", "forbidden_address"),
    ("http://0/", "forbidden_address"),
    ("http://[fe80::1%25eth0]/", "host"),
    ("http://1.1.1.1:99999/", "port"),
    ("http://1.1.1.1:0/", "port"),
    ("ftp://1.1.1.1/", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("gopher://1.1.1.1:7687/", "scheme"),
    ("http://user:pass@1.1.1.1/", "userinfo"),
    ("http://1.1.1.1@127.0.0.1/", "userinfo"),
]


@pytest.mark.parametrize(("url", "rule"), REFUSED_AT_REGISTRATION)
def test_finding_3_internal_addresses_and_bad_urls_are_refused_at_registration(
    client_as: Callable[..., GraphQLClient], store: GraphStore, url: str, rule: str
) -> None:
    error = client_as(Role.ADMIN).error(REGISTER, u=url, s=SECRET)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (error["extensions"]["field"], error["extensions"]["rule"]) == ("url", rule)
    assert error["message"].startswith(f"url: {rule}: ")
    assert store.read("MATCH (w:WebhookSubscription) RETURN count(w) AS n")[0]["n"] == 0


def test_finding_3_a_public_address_is_accepted(store: GraphStore) -> None:
    sub = webhooks.register(store, "k" * 40, "https://1.1.1.1/hook", SECRET, "apikey:x", OPEN)
    assert sub.startswith("webhook:")


def test_finding_3_production_requires_https_even_for_an_allowlisted_receiver(
    store: GraphStore,
) -> None:
    production = destinations.Policy.parse(True, ["10.0.0.5:8443"])
    with pytest.raises(webhooks.WebhookError) as refused:
        webhooks.register(store, "k" * 40, "http://1.1.1.1/hook", SECRET, "apikey:x", production)
    assert (refused.value.field, refused.value.rule) == ("url", "scheme")
    assert webhooks.register(
        store, "k" * 40, "https://10.0.0.5:8443/hook", SECRET, "apikey:x", production
    )


def test_finding_3_the_allowlist_is_checked_when_the_settings_load() -> None:
    assert Settings(webhook_allow="receiver.internal:8443, 10.20.0.0/16").webhook_allow_entries
    with pytest.raises(ValueError, match=r"CREDIT_WEBHOOK_ALLOW: allowlist\.entry"):
        Settings(webhook_allow="receiver.internal")


class Receiver:
    """A loopback HTTP server that records what reaches it and answers with `status`."""

    def __init__(self, status: int = 200, location: str | None = None) -> None:
        self.requests: list[dict[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append({"host": self.headers["host"], "path": self.path})
                self.send_response(status)
                if location:
                    self.send_header("location", location)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(status: int = 200, location: str | None = None) -> Receiver:
        made.append(Receiver(status, location))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _pending_change(intake: Intake) -> None:
    ingest(intake, [f.organization(1), f.violation("V1", 1)])


def _deliver(store: GraphStore, policy: destinations.Policy) -> webhooks.Attempt:
    later = datetime.now(UTC) + timedelta(hours=2)  # past any backoff
    (attempt,) = webhooks.deliver_due(store, get_settings().effective_secret(), later, 2.0, policy)
    return attempt


def _register(store: GraphStore, url: str, policy: destinations.Policy) -> None:
    webhooks.register(store, get_settings().effective_secret(), url, SECRET, "apikey:x", policy)


def test_finding_3_a_name_that_resolves_to_loopback_at_delivery_is_not_posted_to(
    intake: Intake,
    store: GraphStore,
    receivers: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: public when registered, loopback when the batch goes out."""
    _pending_change(intake)
    inside = receivers()
    answers = {"rebind.example": [ip_address("1.1.1.1")]}
    monkeypatch.setattr(destinations, "resolve", lambda host, port: answers[host])
    _register(store, f"http://rebind.example:{inside.port}/hook", OPEN)
    answers["rebind.example"] = [
        ip_address("1.1.1.1"),
        ip_address("127.0.0.1"),
    ]
    attempt = _deliver(store, OPEN)
    assert (attempt.status, attempt.error) == (None, "forbidden_address")
    assert inside.requests == []
    (sub,) = webhooks.subscriptions(store, None)
    assert (sub["cursor"], sub["last_error"]) == (0, "forbidden_address")


def test_finding_3_a_subscription_stored_before_the_fix_is_refused_at_delivery(
    intake: Intake, store: GraphStore, receivers: Callable[..., Receiver]
) -> None:
    _pending_change(intake)
    inside = receivers()
    allowed = destinations.Policy.parse(False, [f"127.0.0.1:{inside.port}"])
    _register(store, f"http://127.0.0.1:{inside.port}/hook", allowed)
    assert _deliver(store, OPEN).error == "forbidden_address"  # the allowlist was withdrawn
    assert inside.requests == []


def test_finding_3_delivery_connects_to_the_checked_address_with_the_name_as_host(
    intake: Intake,
    store: GraphStore,
    receivers: Callable[..., Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name is resolved once, by us; the connection goes to that address (the system
    resolver does not know `receiver.test`, so a second lookup would fail the delivery)."""
    _pending_change(intake)
    inside = receivers()
    monkeypatch.setattr(destinations, "resolve", lambda host, port: [ip_address("127.0.0.1")])
    allowed = destinations.Policy.parse(False, ["127.0.0.1/32"])
    _register(store, f"http://receiver.test:{inside.port}/hook", allowed)
    attempt = _deliver(store, allowed)
    assert (attempt.status, attempt.error) == (200, None)
    assert inside.requests == [{"host": f"receiver.test:{inside.port}", "path": "/hook"}]


def test_finding_3_a_redirect_to_an_internal_address_is_not_followed(
    intake: Intake, store: GraphStore, receivers: Callable[..., Receiver]
) -> None:
    _pending_change(intake)
    internal = receivers()
    redirecting = receivers(302, f"http://127.0.0.1:{internal.port}/steal")
    allowed = destinations.Policy.parse(False, [f"127.0.0.1:{redirecting.port}"])
    _register(store, f"http://127.0.0.1:{redirecting.port}/hook", allowed)
    attempt = _deliver(store, allowed)
    assert (attempt.status, attempt.error) == (302, "redirect_not_followed")
    assert len(redirecting.requests) == 1 and internal.requests == []
    (sub,) = webhooks.subscriptions(store, None)
    assert sub["cursor"] == 0  # not delivered: retried later, to the registered URL only


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Silent:
    """Accepts connections and never answers (a timeout), or answers bytes that are not HTTP."""

    def __init__(self, reply: bytes | None) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = int(self.sock.getsockname()[1])
        self.held: list[socket.socket] = []

        def serve() -> None:
            while True:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return
                self.held.append(conn)
                if reply is not None:
                    conn.recv(65536)
                    conn.sendall(reply)
                    conn.close()

        threading.Thread(target=serve, daemon=True).start()

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_finding_3_last_error_is_a_category_not_the_connection_error(
    intake: Intake,
    store: GraphStore,
    receivers: Callable[..., Receiver],
    client_as: Callable[..., GraphQLClient],
) -> None:
    """Closed port, a port that is not HTTP (like Bolt), silence, plain HTTP behind https,
    4xx and 5xx each give one fixed word, with nothing of the socket error in it."""
    _pending_change(intake)
    bolt_like, silent = _Silent(b"\x00\x00\x00\x00not http at all"), _Silent(None)
    cases = {
        f"http://127.0.0.1:{_closed_port()}/": "connection_refused",
        f"http://127.0.0.1:{bolt_like.port}/": "connection_failed",
        f"http://127.0.0.1:{silent.port}/": "timeout",
        f"https://127.0.0.1:{receivers().port}/": "tls_error",
        f"http://127.0.0.1:{receivers(404).port}/": "http_4xx",
        f"http://127.0.0.1:{receivers(503).port}/": "http_5xx",
    }
    try:
        expected = {}
        for url, category in cases.items():
            port = url.rsplit(":", 1)[1].strip("/")
            allowed = destinations.Policy.parse(False, [f"127.0.0.1:{port}"])
            sub = webhooks.register(
                store, get_settings().effective_secret(), url, SECRET, "apikey:x", allowed
            )
            expected[sub] = category
        everything = destinations.Policy.parse(False, ["127.0.0.1/32"])
        later = datetime.now(UTC) + timedelta(hours=2)
        attempts = webhooks.deliver_due(
            store, get_settings().effective_secret(), later, 2.0, everything
        )
    finally:
        bolt_like.close()
        silent.close()
    assert {a.subscription: a.error for a in attempts} == expected
    assert set(expected.values()) <= set(webhooks.ERROR_CATEGORIES)
    listed = client_as(Role.ADMIN).ok("{ webhookSubscriptions { lastError lastStatus } }")
    assert sorted(
        (w["lastError"], w["lastStatus"]) for w in listed["webhookSubscriptions"]
    ) == sorted((c, {"http_4xx": 404, "http_5xx": 503}.get(c)) for c in cases.values())
