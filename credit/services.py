"""Wiring: builds the store, mapper and intake from settings, once per process."""

from __future__ import annotations

from functools import lru_cache

from credit.db import get_driver
from credit.intake.mapping import Mapper
from credit.intake.pipeline import Intake
from credit.settings import get_settings
from credit.store import GraphStore


@lru_cache(maxsize=1)
def get_store() -> GraphStore:
    return GraphStore(get_driver(), get_settings().neo4j_database)


@lru_cache(maxsize=1)
def get_mapper() -> Mapper:
    return Mapper(get_settings().effective_secret())


def get_intake() -> Intake:
    return Intake(get_store(), get_mapper(), get_settings().ingest_batch_size)
