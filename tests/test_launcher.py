"""The local Neo4j launcher is idempotent and the other commands find it without flags."""

from __future__ import annotations

from pathlib import Path

import pytest

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
