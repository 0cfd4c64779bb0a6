"""Issue 16 item 4: Neo4j goes away under a running service and comes back.

- Stopped under `credit serve` and `credit webhooks run`: readiness turns 503, GraphQL answers
  UNAVAILABLE (503, Retry-After, no trace), the audit trail keeps what it was given, webhooks
  and feed readers pause on their cursors, and all of it recovers without a restart.
- Killed (SIGKILL) in the middle of `credit ingest`: nothing partial is visible afterwards and
  running the same command again ends with the graph one clean run gives.

On an instance of their own (stopping the shared test instance would break the other tests)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credit.core.db import make_driver
from credit.core.settings import Settings
from credit.core.store import GraphStore
from credit.operations.backup import feed_gaps, graph_state
from credit.sync import webhooks
from graph import launcher
from tests.conftest import ROOT
from tests.test_backup import _bump, _free_port, _ok
from tests.test_webhooks import SECRET, Receiver

INSTANCE = "outagetest"
EXAMPLES = ROOT / "schema" / "examples" / "records.jsonl"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    values = {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("metrics")),
        **os.environ,
        "CREDIT_INSTANCE": INSTANCE,
        "CREDIT_NEO4J_PORT": str(_free_port()),
        "CREDIT_NEO4J_HEAP": "512m",
        "CREDIT_NEO4J_PAGECACHE": "128m",
        "CREDIT_PROGRESS_SECONDS": "1",
    }
    values.pop("NEO4J_URI", None)
    _ok(values, "neo4j", "start")
    _ok(values, "migrate")
    yield values
    _ok(values, "neo4j", "stop")
    shutil.rmtree(ROOT / ".local" / f"neo4j-{INSTANCE}", ignore_errors=True)


@pytest.fixture(scope="module")
def store(env: dict[str, str]) -> Iterator[GraphStore]:
    settings = Settings(instance=INSTANCE, local_dir=ROOT / ".local")
    graph = GraphStore(make_driver(settings), settings.neo4j_database)
    yield graph
    graph.driver.close()


def _instance() -> launcher.Instance:
    return launcher.instance(INSTANCE, ROOT / ".local")


def _spawn(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "credit.cli", *args],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _until(condition: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = condition()
        except (httpx.HTTPError, OSError):
            found = None
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


FEED = "query($a: String) { changes(after: $a, first: 500) { items { seq } endCursor hasMore } }"


def _received(receiver: Receiver) -> list[int]:
    """The changes delivered, each once (delivery is at least once)."""
    return sorted({item["seq"] for body in receiver.bodies for item in body["items"]})


def test_the_service_rides_out_a_database_outage(
    env: dict[str, str], store: GraphStore, tmp_path: Path
) -> None:
    store.wipe()
    _ok(env, "ingest", str(EXAMPLES))
    head = graph_state(store).feed_head
    receiver = Receiver(failures=0)
    port = _free_port()
    env = {**env, "CREDIT_WEBHOOK_ALLOW": f"127.0.0.1:{receiver.server.server_port}"}
    token = _ok(env, "token", "create", "--role", "SUPERVISOR", "--name", "ops").strip()
    key = _ok(env, "apikey", "create", "--name", "court", "--source", "court").split("key: ")[1]
    secret = Settings(instance=INSTANCE, local_dir=ROOT / ".local").effective_secret()
    webhooks.register(store, secret, receiver.url, SECRET, "apikey:ops", receiver.policy)

    serve = _spawn(env, tmp_path / "serve.log", "serve", "--port", str(port))
    hooks = _spawn(env, tmp_path / "webhooks.log", "webhooks", "run", "--interval", "0.5")
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    person = {"authorization": f"Bearer {token}"}
    system = {"authorization": f"Bearer {key.strip()}"}
    try:
        _until(lambda: http.get("/health/ready").status_code == 200, "the server")
        _until(lambda: _received(receiver) == list(range(1, head + 1)), "the first delivery")
        page = http.post("/graphql", json={"query": FEED}, headers=person).json()
        cursor = page["data"]["changes"]["endCursor"]

        _ok(env, "neo4j", "stop")  # ---- the outage -------------------------------------
        assert http.get("/health/ready").status_code == 503
        assert http.get("/health/live").status_code == 200
        for headers in (person, system):  # a token verifies alone; a key is looked up
            answer = http.post(
                "/graphql", json={"query": FEED, "variables": {"a": cursor}}, headers=headers
            )
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            error = answer.json()["errors"][0]
            assert error["extensions"]["code"] == "UNAVAILABLE", error
            assert error["extensions"]["requestId"] == answer.headers["x-request-id"]
            assert "Traceback" not in answer.text and "neo4j" not in answer.text.lower()
        outage_request = answer.headers["x-request-id"]
        time.sleep(2)  # the webhook runner meets the outage
        assert serve.poll() is None and hooks.poll() is None, "a process gave up"

        _ok(env, "neo4j", "start")  # ---- back, and nobody restarted ----------------------
        _until(lambda: http.get("/health/ready").status_code == 200, "readiness")
        resumed = _until(
            lambda: http.post(
                "/graphql", json={"query": FEED, "variables": {"a": cursor}}, headers=person
            ),
            "GraphQL",
        )
        assert resumed.status_code == 200 and resumed.json()["data"]["changes"]["items"] == []
        _ok(env, "ingest", str(_bump(EXAMPLES, tmp_path)))  # new changes after the outage
        after = graph_state(store).feed_head
        assert after > head
        page = http.post(
            "/graphql", json={"query": FEED, "variables": {"a": cursor}}, headers=person
        ).json()
        assert [i["seq"] for i in page["data"]["changes"]["items"]] == list(
            range(head + 1, after + 1)
        )  # the reader's cursor from before the outage goes on where it stood
        _until(lambda: _received(receiver) == list(range(1, after + 1)), "later deliveries")
        assert receiver.bad_signatures == 0
        # The outage's own answers reached the audit trail once Neo4j was back.
        events = _until(
            lambda: store.read(
                "MATCH (e:AuditEvent {request_id: $id}) RETURN e.outcome AS outcome",
                id=outage_request,
            ),
            "the outage's audit event",
        )
        assert [e["outcome"] for e in events] == ["error"]
        assert feed_gaps(store) is None
        assert serve.poll() is None and hooks.poll() is None
    finally:
        http.close()
        for process in (serve, hooks):
            process.terminate()
            process.wait(timeout=30)
        receiver.server.shutdown()
    assert "audit chain intact" in _ok(env, "audit", "verify")
    hook_log = (tmp_path / "webhooks.log").read_text()
    assert "webhooks paused" in hook_log and "webhooks resumed" in hook_log
    serve_log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in serve_log
    lines = [json.loads(line) for line in serve_log.splitlines() if line.startswith("{")]
    assert any(line["requestId"] == outage_request for line in lines)


def test_a_crash_in_the_middle_of_an_ingest_leaves_nothing_partial(
    env: dict[str, str], store: GraphStore, tmp_path: Path
) -> None:
    market = tmp_path / "market.jsonl"
    _ok(env, "demo", "--suppliers", "150", "--out", str(market))
    store.wipe()
    _ok(env, "ingest", str(market))
    clean = graph_state(store)

    store.wipe()
    log = tmp_path / "ingest.log"
    ingest = _spawn(env, log, "ingest", str(market))
    # Killed once part of the file is in: the progress line says how much.
    _until(lambda: "ingest market.jsonl: " in log.read_text(), "some progress", 300)
    pid = _instance().pid_file.read_text().strip()
    os.kill(int(pid), signal.SIGKILL)
    assert ingest.wait(timeout=300) != 0  # the ingest fails, saying so in one line
    assert "Traceback" not in log.read_text()

    _ok(env, "neo4j", "start")
    partial = graph_state(store)
    # Batches are transactions: what committed is there whole, the rest not at all, and the
    # feed has no hole where a batch died.
    assert 0 < partial.labels["Entity"] < clean.labels["Entity"]
    assert partial.feed_head <= clean.feed_head
    assert feed_gaps(store) is None

    _ok(env, "ingest", str(market))  # the same command again completes it
    assert graph_state(store) == clean
    assert feed_gaps(store) is None
