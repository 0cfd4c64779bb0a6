"""Issue 21 item 1: `credit load --bulk` builds, through neo4j-admin's importer, the graph and
change feed that `credit ingest` builds from the same file, rejecting the same records with the
same errors, and refuses a database that holds data."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credit.db import make_driver
from credit.demo import generate
from credit.operations.backup import feed_gaps, graph_state
from credit.settings import Settings
from credit.store import GraphStore
from graph import bulk_queries as bq
from tests.conftest import ROOT, run_cli

INSTANCE = "bulktest"
RECEIVE_TIMES = frozenset({"received_at", "first_received_at", "status_recorded_at"})
SAMPLE = 400


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _market(first: Path, second: Path) -> None:
    """A small demo market, the examples of every record type and one violation twice (two
    states in one batch); then, in a second file, a later state of that violation (a feed event
    that is not a creation) and three records the intake rejects."""
    lines = [json.dumps(r, ensure_ascii=False) for r in generate(suppliers=100, seed=7)]
    lines += (ROOT / "schema" / "examples" / "records.jsonl").read_text("utf-8").splitlines()
    violation = next(json.loads(x) for x in lines if '"type": "violation"' in x)
    bid = next(json.loads(x) for x in lines if '"type": "bid"' in x)
    amended = {**violation, "penalty_content": "更正：" + violation["penalty_content"]}
    lines.append(json.dumps(amended, ensure_ascii=False))
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    later = [
        json.dumps({**amended, "penalty_content": "再" + amended["penalty_content"]}),
        '{"type": "organization", "uscc": "91110000000000000X", "name": "坏", "roles": []}',
        json.dumps({**bid, "id": "B-NOWHERE", "lot": "no-such-lot"}, ensure_ascii=False),
        "not json",
    ]
    second.write_text("\n".join(later) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def bulk_env() -> Iterator[dict[str, str]]:
    """A scratch instance of its own: the import stops the database and replaces it."""
    values = {
        **os.environ,
        "CREDIT_INSTANCE": INSTANCE,
        "CREDIT_NEO4J_PORT": str(_free_port()),
        "CREDIT_NEO4J_HEAP": "512m",
        "CREDIT_NEO4J_PAGECACHE": "128m",
    }
    values.pop("NEO4J_URI", None)
    yield values
    _credit(values, "neo4j", "stop")
    shutil.rmtree(ROOT / ".local" / f"neo4j-{INSTANCE}", ignore_errors=True)


def _credit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credit.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("bulk")
    paths = [folder / "market.jsonl", folder / "later.jsonl"]
    _market(*paths)
    return [str(p) for p in paths]


@pytest.fixture(scope="module")
def bulk_loaded(bulk_env: dict[str, str], market: list[str]) -> subprocess.CompletedProcess[str]:
    return _credit(bulk_env, "load", "--bulk", *market)


def _bulk_store() -> GraphStore:
    settings = Settings(instance=INSTANCE, local_dir=ROOT / ".local")  # its URI: its state file
    return GraphStore(make_driver(settings), settings.neo4j_database)


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("line ")]


def _described(store: GraphStore, uids: list[str]) -> dict[str, Any]:
    """Each node's labels and properties and its outgoing relationships with theirs, all but
    the receive times (which say when each build ran)."""

    def kept(props: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((k, repr(v)) for k, v in props.items() if k not in RECEIVE_TIMES)

    return {
        row["uid"]: (
            sorted(row["labels"]),
            kept(row["props"]),
            sorted((t, end, kept(p)) for t, end, p in row["edges"]),
        )
        for row in store.read(bq.NODES_WITH_EDGES, uids=uids)
    }


def test_bulk_load_builds_the_graph_and_feed_the_online_intake_builds(
    store: GraphStore, market: list[str], bulk_env: dict[str, str], bulk_loaded: Any
) -> None:
    online = run_cli("ingest", *market)
    assert online.returncode == 1, online.stderr  # three records are rejected
    assert bulk_loaded.returncode == 1, bulk_loaded.stderr
    assert "stopping Neo4j 'bulktest' (neo4j-admin database import runs offline)" in (
        bulk_loaded.stderr
    )
    errors = _errors(online.stderr)
    assert len(errors) >= 3 and _errors(bulk_loaded.stderr) == errors
    assert any(": reference.exists: " in e for e in errors)

    bulk = _bulk_store()
    try:
        online_state, bulk_state = graph_state(store), graph_state(bulk)
        # the test fixture's wipe removes the check log's head, which migration 0017 created
        assert bulk_state.labels.pop("CheckLogHead") == 1
        assert bulk_state.labels == online_state.labels
        assert bulk_state.relationships == online_state.relationships
        assert (bulk_state.feed_head, bulk_state.audit_head, bulk_state.migration) == (
            online_state.feed_head,
            online_state.audit_head,
            online_state.migration,
        )
        assert feed_gaps(bulk) is None

        uids = [row["uid"] for row in store.read(bq.ENTITY_UIDS)]
        published = [u for u in uids if u.startswith(("violation:", "listing:"))]
        sample = sorted(set(random.Random(21).sample(uids, SAMPLE)) | set(published))
        assert _described(bulk, sample) == _described(store, sample)

        events = [dict(r) for r in store.read(bq.FEED_EVENTS)]
        assert {e["kind"] for e in events} >= {"VIOLATION_RECORDED", "VIOLATION_AMENDED"}
        assert [dict(r) for r in bulk.read(bq.FEED_EVENTS)] == events
    finally:
        bulk.driver.close()


def test_bulk_load_refuses_a_database_that_holds_data(
    bulk_env: dict[str, str], market: list[str], bulk_loaded: Any
) -> None:
    again = _credit(bulk_env, "load", "--bulk", *market)
    assert again.returncode == 1
    refusals = [line for line in again.stderr.splitlines() if "not empty" in line]
    assert refusals == [refusals[0]] and refusals[0].startswith("credit: the target database")
    assert "stopping Neo4j" not in again.stderr
