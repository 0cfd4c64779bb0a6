"""The local Neo4j as the CLI and the operators see it: start, stop, status, migrate.

The launcher and the migration runner live under `graph/`; the CLI reaches them only through
here, so the edges of the application never import `graph` (tests/test_import_rules.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from credit.core.failures import EX_CONFIG, EnvironmentFailure
from credit.core.settings import get_settings
from graph import launcher
from graph.migrate import Migration, apply_migrations

Instance = launcher.Instance


def local_instance() -> Instance:
    settings = get_settings()
    return launcher.instance(settings.instance, settings.local_dir)


def start(log: Callable[[str], object]) -> str:
    """Start the local instance (at once if it is up) and give its Bolt URI."""
    return launcher.start(local_instance(), log=log)


def stop() -> bool:
    return launcher.stop(local_instance())


def status() -> tuple[str, str]:
    """(state, Bolt URI) of the local instance."""
    inst = local_instance()
    return launcher.status(inst), inst.uri


def migrate() -> list[Migration]:
    """Apply the migrations not yet applied; the ones applied now."""
    from credit.core.db import get_driver

    return apply_migrations(get_driver(), get_settings().neo4j_database)


def local_instance_for(command: str) -> Instance:
    """The local instance, for commands that stop it (backup, restore): refused on a server."""
    if get_settings().neo4j_uri:
        raise EnvironmentFailure(
            f"`credit {command}` works on the local instance and NEO4J_URI is set",
            "on a server use `neo4j-admin database dump|load` there (README: Backups)",
            EX_CONFIG,
        )
    return local_instance()


def import_offline(
    inst: Instance,
    nodes: list[Path],
    relationships: list[Path],
    options: tuple[str, ...],
    log: Callable[[str], object],
) -> dict[str, float]:
    """A first load through Neo4j's importer: stop the local instance, `neo4j-admin database
    import full` the CSV files, start it again and apply the migrations over the imported
    graph (hubs get their first receipt, which the online intake sets as it writes). Seconds
    per step."""
    from credit.core.db import make_driver
    from graph.bulk_queries import HUBS_WITHOUT_FIRST_RECEIPT

    settings = get_settings()
    steps: dict[str, float] = {}
    mark = time.perf_counter()
    log(f"stopping Neo4j '{inst.name}' (neo4j-admin database import runs offline)")
    launcher.stop(inst)
    steps["stop"], mark = time.perf_counter() - mark, time.perf_counter()
    launcher.import_full(inst, nodes, relationships, options)
    steps["import"], mark = time.perf_counter() - mark, time.perf_counter()
    log(f"starting Neo4j '{inst.name}' again")
    launcher.start(inst, log=log)
    steps["start"], mark = time.perf_counter() - mark, time.perf_counter()
    with make_driver(settings) as fresh:  # the old driver's connections died with it
        done = apply_migrations(fresh, settings.neo4j_database)
        with fresh.session(database=settings.neo4j_database) as session:
            session.run(HUBS_WITHOUT_FIRST_RECEIPT).consume()
    steps["migrate"] = time.perf_counter() - mark
    log(f"{len(done)} migration(s) applied over the imported graph")
    return steps


def start_instance(inst: Instance, log: Callable[[str], object]) -> None:
    launcher.start(inst, log=log)
