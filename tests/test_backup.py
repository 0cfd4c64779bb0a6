"""Issue 16 item 5: `credit backup` and `credit restore` round-trip the local instance on Neo4j's
own dump and load: the same counts, an audit chain that verifies, a feed that goes on gap-free."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit.core.db import make_driver
from credit.core.settings import Settings
from credit.core.store import GraphStore
from credit.operations.backup import feed_gaps, graph_state
from tests.conftest import ROOT

INSTANCE = "backuptest"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    """An instance of its own: a backup stops the database, which the other tests share."""
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
        timeout=600,
        check=False,
    )


def _ok(env: dict[str, str], *args: str) -> str:
    result = _credit(env, *args)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _store(env: dict[str, str]) -> GraphStore:
    settings = Settings(instance=INSTANCE, local_dir=ROOT / ".local")
    return GraphStore(make_driver(settings), settings.neo4j_database)


def _bump(path: Path, tmp: Path) -> Path:
    """The example records with each violation's penalty text amended: a change on the feed."""
    out = tmp / "changed.jsonl"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["type"] == "violation":
            record["penalty_content"] += "（更正）"
        lines.append(json.dumps(record, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_backup_and_restore_round_trip(env: dict[str, str], tmp_path: Path) -> None:
    _ok(env, "neo4j", "start")
    _ok(env, "migrate")
    examples = ROOT / "schema" / "examples" / "records.jsonl"
    _ok(env, "ingest", str(examples))
    store = _store(env)
    before = graph_state(store)
    assert before.feed_head > 0

    dump = tmp_path / "backups" / "credit.dump"
    out = _ok(env, "backup", str(dump))
    assert f"feed at {before.feed_head}" in out
    manifest = json.loads(dump.with_name("credit.dump.json").read_text())
    assert manifest["labels"] == before.labels
    assert manifest["relationships"] == before.relationships

    _ok(env, "ingest", str(_bump(examples, tmp_path)))  # changes after the backup ...
    assert graph_state(store).feed_head > before.feed_head

    out = _ok(env, "restore", str(dump))  # ... are gone after the restore
    assert "counts match its manifest, audit chain intact, feed gap-free" in out
    after = graph_state(store)
    assert after == before
    assert "audit chain intact" in _ok(env, "audit", "verify")

    _ok(env, "ingest", str(_bump(examples, tmp_path)))  # and the feed goes on without a gap
    assert graph_state(store).feed_head > before.feed_head
    assert feed_gaps(store) is None
    store.driver.close()


def test_restore_refuses_a_dump_that_does_not_match_its_manifest(
    env: dict[str, str], tmp_path: Path
) -> None:
    _ok(env, "neo4j", "start")
    _ok(env, "migrate")
    dump = tmp_path / "credit.dump"
    _ok(env, "backup", str(dump))
    with dump.open("ab") as handle:
        handle.write(b"tampered")
    result = _credit(env, "restore", str(dump))
    assert result.returncode == 1
    assert "does not match the SHA-256" in result.stderr
