"""Webhooks against a real HTTP receiver on loopback that fails its first attempts; loopback is
refused unless allowlisted, so the receiver is named in the policy as a deployment would."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.security.auth import create_api_key
from credit.security.permissions import Role
from credit.sync import destinations, webhooks
from tests import factories as f
from tests.conftest import GraphQLClient, ingest

SECRET = "receiver-shared-secret-0123456789"
PUBLIC_URL = "https://1.1.1.1/hook"  # a public address (registered, never delivered to here)


class Receiver:
    """Answers 500 to the first `failures` posts, then 200; keeps verified bodies."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.bodies: list[dict[str, Any]] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.calls += 1
                if not webhooks.verify(SECRET, self.headers[webhooks.SIGNATURE_HEADER], body):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                elif receiver.calls <= receiver.failures:
                    self.send_response(500)
                else:
                    receiver.bodies.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.policy = destinations.Policy.parse(False, [f"127.0.0.1:{self.server.server_port}"])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(failures=2)
    yield r
    r.server.shutdown()


def test_a_failing_receiver_gets_every_change_after_retries_with_backoff(
    intake: Intake, store: GraphStore, receiver: Receiver
) -> None:
    ingest(intake, [f.organization(1), *(f.violation(f"V{i}", 1) for i in range(3))])
    secret = get_settings().effective_secret()
    policy = receiver.policy
    webhooks.register(store, secret, receiver.url, SECRET, "apikey:x", policy)
    now = datetime.now(UTC)
    first = webhooks.deliver_due(store, secret, now, policy=policy)
    assert [(a.status, a.error) for a in first] == [(500, "http_5xx")]
    later = now + timedelta(seconds=1)
    assert webhooks.deliver_due(store, secret, later, policy=policy) == []  # backing off
    second = webhooks.deliver_due(store, secret, now + timedelta(seconds=2), policy=policy)
    assert [a.status for a in second] == [500]
    later = now + timedelta(seconds=5)
    assert webhooks.deliver_due(store, secret, later, policy=policy) == []  # 4 s now
    third = webhooks.deliver_due(store, secret, now + timedelta(seconds=7), policy=policy)
    assert [(a.status, a.first_seq, a.last_seq) for a in third] == [(200, 1, 3)]
    assert [i["seq"] for i in receiver.bodies[0]["items"]] == [1, 2, 3]
    assert receiver.bad_signatures == 0
    ingest(intake, [f.violation("V9", 1)])
    webhooks.deliver_due(store, secret, now + timedelta(seconds=8), policy=policy)
    assert [i["seq"] for i in receiver.bodies[1]["items"]] == [4]
    (sub,) = webhooks.subscriptions(store, None)
    assert (sub["cursor"], sub["attempts"], sub["last_status"]) == (4, 0, 200)
    log = store.read("MATCH (d:WebhookDelivery) RETURN d.ok AS ok ORDER BY d.at")
    assert [r["ok"] for r in log] == [False, False, True, True]


def test_signatures_expire_outside_the_replay_window() -> None:
    body = b'{"items": []}'
    stamp = int(datetime.now(UTC).timestamp())
    header = webhooks.sign(SECRET, stamp, body)
    assert webhooks.verify(SECRET, header, body)
    assert not webhooks.verify(SECRET, header, body + b" ")
    assert not webhooks.verify("another-secret-entirely", header, body)
    assert not webhooks.verify(SECRET, header, body, now=stamp + webhooks.REPLAY_WINDOW_S + 1)


def test_a_sync_client_registers_and_sees_its_subscription(store: GraphStore, api_url: str) -> None:
    _, key = create_api_key(store, "national platform", Role.SYNC_CLIENT, "national")
    client = GraphQLClient(api_url, key)
    mutation = (
        "mutation($u: String!, $s: String!) { registerWebhook(url: $u, secret: $s) { id cursor } }"
    )
    created = client.ok(mutation, u=PUBLIC_URL, s=SECRET)["registerWebhook"]
    assert created["cursor"] == 0
    listed = client.ok("{ webhookSubscriptions { id url attempts } }")["webhookSubscriptions"]
    assert listed == [{"id": created["id"], "url": PUBLIC_URL, "attempts": 0}]
    short = client.error(mutation, u=PUBLIC_URL, s="short")
    assert short["extensions"]["rule"] == "min_length"
    stored = store.read("MATCH (w:WebhookSubscription) RETURN w.secret AS s")[0]["s"]
    assert SECRET not in stored
