"""The local Neo4j launcher is idempotent and the other commands find it without flags."""

from __future__ import annotations

from pathlib import Path

from credit.settings import get_settings
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
