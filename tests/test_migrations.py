"""Migrations are versioned, idempotent and recorded in the graph."""

from __future__ import annotations

from credit.core.db import get_driver
from credit.core.settings import get_settings
from credit.core.store import GraphStore
from graph.migrate import apply_migrations, load_migrations


def test_applying_migrations_twice_applies_nothing_the_second_time(store: GraphStore) -> None:
    assert apply_migrations(get_driver(), get_settings().neo4j_database) == []
    rows = store.read("MATCH (m:Migration) RETURN m.version AS v ORDER BY v")
    assert [r["v"] for r in rows] == [m.version for m in load_migrations()]


def test_the_full_text_index_uses_the_cjk_analyzer(store: GraphStore) -> None:
    rows = store.read(
        "SHOW FULLTEXT INDEXES YIELD name, options WHERE name = 'entity_names' "
        "RETURN options.indexConfig['fulltext.analyzer'] AS analyzer"
    )
    assert rows[0]["analyzer"] == "cjk"


def test_natural_keys_are_unique(store: GraphStore) -> None:
    rows = store.read(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type "
        "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes[0] AS label, "
        "properties[0] AS property"
    )
    found = {(r["label"], r["property"]) for r in rows}
    assert {
        ("Entity", "uid"),
        ("Organization", "uscc"),
        ("Person", "id_hash"),
        ("Bid", "key"),
        ("Violation", "key"),
    } <= found
