"""The one description of each record kind (credit/domain/model.py) is the truth the intake,
the graph's constraints, the GraphQL relationship fields and docs/model.md follow."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from credit.core.store import GraphStore
from credit.domain import model
from credit.domain.records import RECORD_ADAPTER, RECORD_TYPES, Record
from credit.intake.mapping import GraphWrite, Mapper
from credit.markets.demo import example_records, generate
from credit.security.permissions import load_table

ROOT = Path(__file__).resolve().parent.parent
MONEY = {"budget", "price", "amount", "fine"}


def _writes() -> list[tuple[model.Kind, GraphWrite]]:
    mapper = Mapper("model-test-secret")
    records = [*example_records(), *generate(suppliers=120, seed=7)]
    out = []
    for raw in records:
        record = RECORD_ADAPTER.validate_python(raw)
        out.append((model.BY_TYPE[record.type], mapper.map(record)))
    return out


def _stored_names(kind: model.Kind) -> set[str]:
    names = set()
    for prop in kind.properties:
        names |= (
            {f"{prop}_amount", f"{prop}_exact", f"{prop}_currency"} if prop in MONEY else {prop}
        )
    return names


def test_every_record_type_is_described_once() -> None:
    kinds_of_the_format = get_args(get_args(Record)[0])
    formats = sorted(kind.model_fields["type"].default for kind in kinds_of_the_format)
    assert sorted(k.type for k in model.KINDS) == formats
    assert len({k.prefix for k in model.KINDS}) == len(model.KINDS)


def test_the_intake_writes_what_the_description_says() -> None:
    """Every label, property and relationship the mapping writes is described, for every
    kind of record in the demo market; a property or relationship added to the mapping
    without its description fails here."""
    described_types = set(model.relationship_types())
    seen_kinds = set()
    for kind, write in _writes():
        seen_kinds.add(kind.type)
        assert write.uid.startswith(f"{kind.prefix}:")
        if kind.edge:
            assert write.edge_record is not None
            assert write.edge_record.type in kind.labels
            assert set(write.edge_record.props) <= _stored_names(kind)
        else:
            assert write.node is not None
            assert set(kind.labels) <= set(write.node.labels)
            assert set(write.node.props) - {"key"} <= _stored_names(kind), kind.type
        for edge in write.edges:
            assert edge.type in described_types, (kind.type, edge.type)
    assert seen_kinds == set(RECORD_TYPES)


def test_links_name_fields_of_the_record() -> None:
    for kind in model.KINDS:
        fields = type(
            RECORD_ADAPTER.validate_python(
                next(r for r in example_records() if r["type"] == kind.type)
            )
        ).model_fields
        aliases = {f.alias or name for name, f in fields.items()} | set(fields)
        for link in kind.links:
            assert link.field.split(".")[0] in aliases, (kind.type, link.field)


def test_every_key_has_its_constraint(store: GraphStore) -> None:
    rows = store.read(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type "
        "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes[0] AS label, properties[0] AS property"
    )
    unique = {(r["label"], r["property"]) for r in rows}
    indexed = {
        r["type"]
        for r in store.read(
            "SHOW INDEXES YIELD entityType, labelsOrTypes, properties "
            "WHERE entityType = 'RELATIONSHIP' AND properties = ['uid'] "
            "RETURN labelsOrTypes[0] AS type"
        )
    }
    for kind in model.KINDS:
        if kind.edge:
            assert set(kind.labels) <= indexed, kind.type
        else:
            assert (kind.labels[-1], kind.key) in unique, kind.type


@pytest.mark.parametrize(
    ("graphql_type", "fields"),
    [
        ("Organization", {"bids", "violations", "listings"}),
        ("Project", {"purchaser", "agency", "lots"}),
        ("Lot", {"project", "bids"}),
        ("Bid", {"supplier", "lot"}),
        ("Violation", {"subject"}),
    ],
)
def test_graphql_relationship_fields_come_from_the_links(
    graphql_type: str, fields: set[str]
) -> None:
    from credit.api.schema import build_schema
    from credit.core.settings import Settings

    assert set(model.traversals(graphql_type)) == fields
    shown = build_schema(Settings())._schema.type_map[graphql_type]
    assert fields <= set(shown.fields)  # type: ignore[attr-defined]


def test_the_documentation_is_current() -> None:
    table = load_table()
    redacted = {k: (list(v.properties), [str(r) for r in v.roles]) for k, v in table.redact.items()}
    assert (ROOT / "docs" / "model.md").read_text(encoding="utf-8") == model.document(redacted), (
        "run `credit model` and commit docs/model.md"
    )
