"""Wiring: builds the store, mapper and intake from settings, once per process."""

from __future__ import annotations

from functools import lru_cache

from credit.core.db import get_driver
from credit.core.failures import EX_TEMPFAIL, EnvironmentFailure
from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.intake.mapping import Mapper
from credit.intake.pipeline import Intake
from graph.migrate import pending_migrations


@lru_cache(maxsize=1)
def get_store() -> GraphStore:
    """The store, once the graph's schema is known to be current: code run against a database
    whose migrations were not applied would fail later and less clearly."""
    settings = get_settings()
    driver = get_driver()
    pending = pending_migrations(driver, settings.neo4j_database)
    if pending:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in pending)
        raise EnvironmentFailure(
            f"the graph schema is behind the code: {len(pending)} migration(s) not applied "
            f"({names})",
            "run `credit migrate`",
            EX_TEMPFAIL,
        )
    return GraphStore(driver, settings.neo4j_database)


@lru_cache(maxsize=1)
def get_mapper() -> Mapper:
    return Mapper(get_settings().effective_secret())


def get_intake() -> Intake:
    return Intake(get_store(), get_mapper(), get_settings().ingest_batch_size)
