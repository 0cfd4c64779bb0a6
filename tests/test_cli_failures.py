"""Issue 16 item 2: a failure of the environment is one line with its fix and its own exit code,
never a traceback (which `--debug` still shows)."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit.core import failures
from credit.core.failures import describe
from credit.core.store import GraphStore
from tests.conftest import ROOT


def _credit(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credit.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def held_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_stopped_database_is_one_line_with_the_fix() -> None:
    port = _free_port()
    result = _credit("flags", "export", "--format", "jsonl", NEO4J_URI=f"neo4j://127.0.0.1:{port}")
    line = _one_line(result)
    assert result.returncode == failures.EX_UNAVAILABLE
    assert f"cannot reach Neo4j at neo4j://127.0.0.1:{port} (connection refused)" in line


def test_unknown_local_instance_says_how_to_start_one() -> None:
    result = _credit("score", "--all", CREDIT_INSTANCE="never-started")
    assert result.returncode == failures.EX_UNAVAILABLE
    assert "credit neo4j start" in _one_line(result)


def test_debug_shows_the_traceback() -> None:
    result = _credit(
        "--debug",
        "flags",
        "export",
        "--format",
        "jsonl",
        NEO4J_URI=f"neo4j://127.0.0.1:{_free_port()}",
    )
    assert result.returncode != 0
    assert "ServiceUnavailable" in result.stderr


def test_wrong_password_is_one_line(graph_db: GraphStore) -> None:
    from credit.core.settings import get_settings

    uri, _, _ = get_settings().connection()
    # another user than the tests' own, so Neo4j's lock-out after failed logins touches no one
    result = _credit("flags", "export", NEO4J_URI=uri, NEO4J_USER="nobody", NEO4J_PASSWORD="wrong")
    assert result.returncode == failures.EX_NOPERM
    assert "refused user 'nobody' (wrong password)" in _one_line(result)


def test_missing_migration_says_run_migrate(graph_db: GraphStore) -> None:
    row = graph_db.read(
        "MATCH (m:Migration) WITH m ORDER BY m.version DESC LIMIT 1 RETURN m {.*} AS m"
    )[0]["m"]
    graph_db.write("MATCH (m:Migration {version: $v}) DELETE m", v=row["version"])
    try:
        result = _credit("flags", "export", "--format", "jsonl")
    finally:
        graph_db.write("CREATE (m:Migration) SET m = $m", m=row)
    assert result.returncode == failures.EX_TEMPFAIL
    line = _one_line(result)
    assert f"{row['version']:04d}_{row['name']}" in line
    assert "run `credit migrate`" in line


def test_port_held_by_another_process_is_named(held_port: int) -> None:
    result = _credit("serve", "--port", str(held_port))
    assert result.returncode == failures.EX_OSERR
    line = _one_line(result)
    assert f"port {held_port} is taken by python" in line
    assert f"(pid {os.getpid()})" in line


def test_neo4j_port_held_by_another_process_is_named(held_port: int) -> None:
    result = _credit(
        "neo4j", "start", CREDIT_INSTANCE="porttaken", CREDIT_NEO4J_PORT=str(held_port)
    )
    assert result.returncode == failures.EX_OSERR
    assert f"port {held_port} is taken by python" in _one_line(result)


def test_policy_file_that_does_not_load(tmp_path: Path) -> None:
    missing = _credit("score", "--all", CREDIT_POLICY_FILE=str(tmp_path / "nope.toml"))
    assert missing.returncode == failures.EX_NOINPUT
    assert "nope.toml (No such file or directory)" in _one_line(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text('version = "x"\n[supplier]\nbase = 1.5\n')
    invalid = _credit("score", "--all", CREDIT_POLICY_FILE=str(bad))
    assert invalid.returncode == failures.EX_CONFIG
    assert "configuration does not load" in _one_line(invalid)


def test_weak_secret_in_production_is_one_line() -> None:
    result = _credit("migrate", CREDIT_ENV="production", CREDIT_SECRET_KEY="changeme")
    assert result.returncode == failures.EX_CONFIG
    assert "CREDIT_SECRET_KEY: secret.strength" in _one_line(result)


def test_full_disk_is_named() -> None:
    exc = OSError(errno.ENOSPC, "No space left on device", "/data/out.jsonl")
    found = describe(exc, "neo4j://x", "neo4j", local=True)
    assert found is not None
    assert found.exit_code == failures.EX_IOERR
    assert (
        str(found)
        == "the disk is full writing /data/out.jsonl: free space and run the command again"
    )
