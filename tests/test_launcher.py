"""The local Neo4j launcher is idempotent and the other commands find it without flags."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from credit.core.settings import get_settings
from graph import launcher
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_start_on_a_running_instance_returns_its_uri() -> None:
    done = run_cli("neo4j", "start")
    assert done.returncode == 0, done.stderr
    expected = launcher.instance(get_settings().instance, get_settings().local_dir).uri
    assert done.stdout.strip() == expected


def test_status_reports_running() -> None:
    done = run_cli("neo4j", "status")
    assert (done.returncode, done.stdout.split()[0]) == (0, "running")


def test_migrate_finds_the_connection_without_flags() -> None:
    done = run_cli("migrate")
    assert done.returncode == 0, done.stderr
    assert "schema is current" in done.stdout


def test_bench_instance_takes_env_overrides_and_renders_plugin_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDIT_NEO4J_PORT", raising=False)
    monkeypatch.setenv("CREDIT_NEO4J_HEAP", "2g")
    monkeypatch.setenv("CREDIT_NEO4J_PAGECACHE", "3g")
    monkeypatch.setenv("CREDIT_NEO4J_PLUGINS", "apoc")
    inst = launcher.instance("bench", tmp_path)
    assert (inst.port, inst.heap, inst.pagecache, inst.plugins) == (7690, "2g", "3g", ("apoc",))
    conf = (launcher._write_config(inst) / "neo4j.conf").read_text().splitlines()
    assert "server.memory.heap.max_size=2g" in conf
    assert "server.memory.pagecache.size=3g" in conf
    assert "server.bolt.listen_address=127.0.0.1:7690" in conf
    assert "dbms.security.procedures.unrestricted=apoc.*" in conf


def test_plugins_are_opt_in_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDIT_NEO4J_PLUGINS", raising=False)
    assert launcher.instance("main", tmp_path).plugins == ()
    monkeypatch.setenv("CREDIT_NEO4J_PLUGINS", "")
    assert launcher.instance("bench", tmp_path).plugins == ()
    conf = (launcher._write_config(launcher.instance("bench", tmp_path)) / "neo4j.conf").read_text()
    assert "apoc" not in conf
    monkeypatch.setenv("CREDIT_NEO4J_PLUGINS", "apoc,gds")
    with pytest.raises(ValueError, match="gds"):
        launcher.instance("bench", tmp_path)


def test_jars_neo4j_ships_are_recognised_by_artifact() -> None:
    names = ["commons-text-1.10.0.jar", "apoc-core-5.26.19.jar", "asm-9.3.jar", "x-1.0-beta.jar"]
    assert [launcher._jar_artifact(Path(n)) for n in names] == [
        "commons-text",
        "apoc-core",
        "asm",
        "x",
    ]


APOC_PROCEDURES = "SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'apoc.' RETURN count(*) AS n"


def _apoc_procedures(inst: launcher.Instance) -> int:
    with GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password())) as driver:
        return int(driver.execute_query(APOC_PROCEDURES).records[0]["n"])


def test_start_restarts_a_running_instance_to_load_a_plugin_asked_for(tmp_path: Path) -> None:
    """A custom instance started without APOC gets it when a later start asks for it (the bench's
    @neo4j/graphql comparison on `bench/run.py --instance NAME`); asking for none keeps it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    plain = launcher.Instance(
        "launchtest", tmp_path / "neo4j-launchtest", port, heap="256m", pagecache="32m"
    )
    with_apoc = dataclasses.replace(plain, plugins=("apoc",))
    messages: list[str] = []
    try:
        launcher.start(plain, log=messages.append)
        assert (_apoc_procedures(plain), launcher.loaded_plugins(plain)) == (0, set())
        first_pid = launcher._running_pid(plain)
        assert launcher.start(with_apoc, log=messages.append) == with_apoc.uri
        assert _apoc_procedures(with_apoc) > 0
        assert launcher.loaded_plugins(with_apoc) == {"apoc"}
        assert launcher._running_pid(with_apoc) != first_pid
        assert any("to load plugin(s) apoc" in m for m in messages), messages
        second_pid = launcher._running_pid(with_apoc)
        launcher.start(plain, log=messages.append)  # fewer plugins asked for: no restart
        assert launcher._running_pid(plain) == second_pid
    finally:
        launcher.stop(plain)
