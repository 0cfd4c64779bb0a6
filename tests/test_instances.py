"""Several instances behave as one (issue 21.4): real API processes and real webhook
deliverers, each its own process as on separate hosts, against the one test Neo4j."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.intake.pipeline import Intake
from credit.public.gate import verify_log
from credit.security.auth import create_api_key, revoke_api_key
from credit.security.limits import SharedRateLimiter
from credit.security.permissions import Role
from credit.sync import destinations, webhooks
from tests import factories as f
from tests.conftest import ingest, token_for

ROOT = Path(__file__).resolve().parent.parent
ME = {"query": "{ me { subject } }"}
SECRET = "receiver-shared-secret-0123456789"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _process(args: list[str], env: dict[str, str], ready: str | None = None) -> Iterator[None]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "credit.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while ready is not None:
            assert proc.poll() is None, f"{args} exited with {proc.returncode}"
            assert time.monotonic() < deadline, f"{args} did not start"
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def _two_apis(**settings: str) -> Iterator[list[str]]:
    env = dict(os.environ, **settings)
    urls = [f"http://127.0.0.1:{_port()}", f"http://127.0.0.1:{_port()}"]
    with ExitStack() as stack:
        for url in urls:
            port = url.rsplit(":", 1)[1]
            stack.enter_context(_process(["serve", "--port", port], env, f"{url}/health/ready"))
        yield urls


def test_two_api_instances_share_one_rate_limit_and_one_revocation(store: GraphStore) -> None:
    # One unit a minute: nothing refills while the test runs, so the burst is all there is.
    limits = {"CREDIT_RATE_LIMIT_PER_MINUTE": "1", "CREDIT_RATE_LIMIT_BURST": "6"}
    with _two_apis(**limits) as (one, two):
        headers = {"authorization": f"Bearer {token_for(Role.PURCHASER)}"}
        statuses = [
            httpx.post(f"{url}/graphql", json=ME, headers=headers, timeout=30).status_code
            for _ in range(6)
            for url in (one, two)
        ]
        # Each process alone would allow 6: together they allow the burst once.
        assert statuses.count(200) == 6, statuses
        assert statuses.count(429) == 6, statuses

        key_id, key = create_api_key(store, "采购员", Role.PURCHASER, None)
        made = httpx.post(f"{one}/auth/session", headers={"x-api-key": key}, timeout=30)
        session = {"authorization": f"Bearer {made.json()['token']}"}
        assert httpx.post(f"{two}/graphql", json=ME, headers=session).status_code == 200
        assert revoke_api_key(store, key_id)  # revoked once, refused by both at once
        for url in (one, two):
            refused = httpx.post(f"{url}/graphql", json=ME, headers=session, timeout=30)
            assert refused.status_code == 401, refused.text


def _from(address: str) -> httpx.Client:
    """A client whose connections leave from `address` (any of 127.0.0.0/8 on Linux), so one
    test machine plays several clients, or a proxy in front of the API."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def _public(client: httpx.Client, urls: list[str], rounds: int, **headers: str) -> list[int]:
    """The statuses of `rounds` requests to each instance in turn; Retry-After on every 429."""
    statuses = []
    for _ in range(rounds):
        for url in urls:
            answer = client.get(f"{url}/public/records", headers=headers)
            assert answer.status_code != 429 or int(answer.headers["retry-after"]) > 0
            statuses.append(answer.status_code)
    return statuses


PUBLIC_LIMITS = {"CREDIT_PUBLIC_RATE_PER_MINUTE": "1", "CREDIT_PUBLIC_RATE_BURST": "6"}


def test_two_api_instances_share_one_public_limit_per_address(
    store: GraphStore, tmp_path: Path
) -> None:
    log = str(tmp_path / "public.jsonl")
    with (
        _two_apis(**PUBLIC_LIMITS, CREDIT_PUBLIC_AUDIT_LOG=log) as urls,
        _from("127.0.0.1") as one,
        _from("127.0.0.2") as two,
    ):
        # Each process alone would answer 6: together they answer the burst once.
        assert _public(one, urls, 6) == [200] * 6 + [429] * 6
        assert _public(two, urls, 3) == [200] * 6  # another address has its own budget
        assert _public(one, urls, 1) == [429] * 2
    # Both processes appended to one audit file: the hash chain holds across them.
    assert verify_log(Path(log)) == 12 + 6 + 2


def test_a_limiter_forgets_lapsed_leases_of_many_addresses(store: GraphStore) -> None:
    # Anonymous addresses come without end: leases that have lapsed (they hold no units) go
    # once there are many, as the per-process limiter used to forget full buckets.
    limiter = SharedRateLimiter(store, "public", 60, 6)
    limiter._held = {f"198.51.100.{n}": (1, 0.0) for n in range(100_001)}
    assert limiter.take_blocking("203.0.113.7") == 0
    assert list(limiter._held) == ["203.0.113.7"]


def test_forwarded_addresses_count_only_from_a_trusted_proxy(
    store: GraphStore, tmp_path: Path
) -> None:
    log = tmp_path / "public.jsonl"
    settings = {**PUBLIC_LIMITS, "CREDIT_PUBLIC_AUDIT_LOG": str(log)}
    with (
        _two_apis(**settings, CREDIT_TRUSTED_PROXIES="127.0.0.2") as urls,
        _from("127.0.0.1") as client,
        _from("127.0.0.2") as proxy,
    ):
        # The attack: a fresh made-up address on every request to escape the limit.
        statuses = []
        for n in range(6):
            statuses += _public(client, urls, 1, **{"x-forwarded-for": f"198.51.100.{n}"})
        assert statuses == [200] * 6 + [429] * 6
        # The proxy names its clients: each has its own budget, the proxy none of its own.
        first = _public(proxy, urls, 4, **{"x-forwarded-for": "203.0.113.7"})
        assert first == [200] * 6 + [429] * 2
        second = _public(proxy, urls, 1, **{"x-forwarded-for": "203.0.113.8"})
        assert second == [200] * 2
    addresses = [json.loads(line)["address"] for line in log.read_text().splitlines()]
    assert sorted(set(addresses)) == ["127.0.0.1", "203.0.113.7", "203.0.113.8"]


class SlowReceiver:
    """A real receiver that takes its time, so deliverers without a lease overlap; it keeps
    the sequence numbers of every change it was sent."""

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.posts = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                assert webhooks.verify(SECRET, self.headers[webhooks.SIGNATURE_HEADER], body)
                time.sleep(0.3)
                with lock:
                    receiver.posts += 1
                    receiver.seqs += [i["seq"] for i in json.loads(body)["items"]]
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.allow = f"127.0.0.1:{self.server.server_port}"
        self.url = f"http://{self.allow}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_two_deliverers_send_each_webhook_batch_once(intake: Intake, store: GraphStore) -> None:
    ingest(intake, [f.organization(1), *(f.violation(f"V{i}", 1) for i in range(250))])
    published = store.read("MATCH (c:Change) RETURN max(c.seq) AS n")[0]["n"]
    assert published > 2 * webhooks.BATCH  # several batches
    receiver = SlowReceiver()
    secret = get_settings().effective_secret()
    policy = destinations.Policy.parse(False, [receiver.allow])
    webhooks.register(store, secret, receiver.url, SECRET, "apikey:x", policy)
    env = dict(os.environ, CREDIT_WEBHOOK_ALLOW=receiver.allow)
    try:
        with ExitStack() as stack:
            for _ in range(2):
                stack.enter_context(_process(["webhooks", "run", "--interval", "0.05"], env))
            deadline = time.monotonic() + 120
            while len(set(receiver.seqs)) < published and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)  # a duplicate would have been sent by now
    finally:
        receiver.server.shutdown()
    assert sorted(set(receiver.seqs)) == list(range(1, published + 1))
    assert len(receiver.seqs) == published, "a batch was delivered twice"
    delivered = store.read("MATCH (d:WebhookDelivery {ok: true}) RETURN count(d) AS n")[0]["n"]
    assert delivered == receiver.posts
