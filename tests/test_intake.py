"""Intake against a real Neo4j: bad records are reported precisely and write nothing, good
ones land, and a repeat changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from credit.core.store import GraphStore
from credit.core.wiring import get_mapper
from credit.intake.pipeline import Intake
from tests import factories as f
from tests.conftest import ingest, run_cli

ROOT = Path(__file__).resolve().parent.parent


def _market() -> list[dict[str, Any]]:
    return [
        f.organization(1),
        f.organization(2),
        f.organization(9, roles=["PURCHASER"], name="杭州市财政局"),
        f.person(1),
        f.project("P1", 9),
        f.lot("L1", "P1"),
        f.bid("B1", "L1", 1, "100000.00"),
        f.bid("B2", "L1", 2, "101000.00"),
        f.tie("LEGAL_REP_OF", {"person": f.make_id_number(1)}, {"org": f.make_uscc(1)}),
        f.violation("V1", 1),
    ]


BAD_RECORDS: list[tuple[str, dict[str, Any] | str, str, str]] = [
    (
        "wrong USCC check character",
        f.organization(50, uscc=f.wrong_check(f.make_uscc(50))),
        "uscc",
        "uscc.check_character",
    ),
    (
        "USCC with a broken organisation code",
        f.organization(51, uscc=f.broken_org_code_uscc(51)),
        "uscc",
        "uscc.organization_code",
    ),
    (
        "identity number with a bad check digit",
        f.person(50, id_number=f.wrong_check(f.make_id_number(50))),
        "id_number",
        "id_number.check_digit",
    ),
    (
        "unknown violation category",
        f.violation("VBAD1", 1, category="LATE_PAYMENT"),
        "category",
        "enum",
    ),
    ("negative fine", f.violation("VBAD2", 1, fine={"amount": "-5.00"}), "fine.amount", "minimum"),
    (
        "ban that ends before it starts",
        f.violation("VBAD3", 1, ban_start="2025-02-01", ban_end="2025-01-01"),
        "(record)",
        "period.order",
    ),
    (
        "reference to a missing entity",
        f.bid("BBAD", "L1", 77, "100.00"),
        "supplier",
        "reference.exists",
    ),
    ("malformed JSON line", '{"type": "organization", "uscc": ', "(record)", "json.syntax"),
    ("oversized field", f.organization(52, name="很" * 5000), "name", "max_length"),
    ("unknown record type", {"type": "spaceship", "id": "X"}, "(record)", "type.unknown"),
]


def test_a_clean_market_lands_and_a_repeat_changes_nothing(intake: Intake) -> None:
    first = ingest(intake, _market())
    assert first.errors == []
    assert first.changed == len(_market())
    second = ingest(intake, _market())
    assert (second.changed, second.unchanged, second.errors) == (0, len(_market()), [])


@pytest.mark.parametrize(
    ("bad", "field", "rule"),
    [pytest.param(bad, field, rule, id=name) for name, bad, field, rule in BAD_RECORDS],
)
def test_a_bad_record_is_reported_and_the_good_ones_land(
    intake: Intake, store: GraphStore, bad: dict[str, Any] | str, field: str, rule: str
) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in _market()]
    lines.insert(3, bad if isinstance(bad, str) else json.dumps(bad, ensure_ascii=False))
    report = intake.run(enumerate(lines, start=1))
    assert report.rejected == 1
    assert {(e.line, e.field, e.rule) for e in report.errors} == {(4, field, rule)}
    assert str(report.errors[0]).startswith(f"line 4: {field}: {rule}: ")
    assert report.changed == len(_market())
    before = store.count_entities()
    assert ingest(intake, _market()).changed == 0
    assert store.count_entities() == before


def test_nothing_of_a_rejected_record_is_written(intake: Intake, store: GraphStore) -> None:
    ingest(intake, _market())
    before = store.count_entities()
    bad = f.organization(
        60,
        phones=["0571-88889999"],
        address="杭州市西湖区文三路1号",
        uscc=f.wrong_check(f.make_uscc(60)),
    )
    report = ingest(intake, [bad])
    assert report.rejected == 1
    assert store.count_entities() == before
    assert store.node("phone:057188889999") is None


def test_records_that_depend_on_a_rejected_record_are_rejected_too(intake: Intake) -> None:
    bad_lot = f.lot("L9", "P-missing")
    report = ingest(intake, [*_market(), bad_lot, f.bid("B9", "L9", 1, "5.00")])
    assert {(e.field, e.rule) for e in report.errors} == {
        ("project", "reference.exists"),
        ("lot", "reference.exists"),
    }


def test_a_file_may_define_entities_after_the_records_that_use_them(intake: Intake) -> None:
    report = ingest(intake, list(reversed(_market())))
    assert report.errors == []


def test_an_update_changes_the_record_and_an_older_version_is_ignored(
    intake: Intake, store: GraphStore
) -> None:
    ingest(intake, _market())
    repaired = f.violation("V1", 1, status="REPAIRED", status_date="2025-06-01", version=2)
    assert ingest(intake, [repaired]).changed == 1
    stale = f.violation("V1", 1, status="ACTIVE", version=1)
    assert ingest(intake, [stale]).changed == 0
    node = store.node("violation:V1")
    assert node is not None
    assert (node.props["status"], node.props["version"]) == ("REPAIRED", 2)


def test_identity_numbers_are_never_stored_in_clear(intake: Intake, store: GraphStore) -> None:
    clear = f.make_id_number(1)
    ingest(intake, _market())
    rows = store.read(
        "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE toStringOrNull(v) "
        "CONTAINS $clear RETURN count(*) AS n",
        clear=clear,
    )
    assert rows[0]["n"] == 0
    person = store.nodes([uid for uid in _person_uids(store)])
    (node,) = person.values()
    assert node.props["id_masked"] == clear[:4] + "*" * 10 + clear[-4:]


def _person_uids(store: GraphStore) -> list[str]:
    return [r["uid"] for r in store.read("MATCH (p:Person) RETURN p.uid AS uid")]


def test_shared_identifiers_become_hub_nodes(intake: Intake, store: GraphStore) -> None:
    ingest(
        intake,
        [f.organization(1, phones=["0571-1234567"]), f.organization(2, phones=["0571 1234567"])],
    )
    rows = store.read(
        "MATCH (o:Organization)-[:HAS_PHONE]->(p:Phone) RETURN p.uid AS hub, count(o) AS n"
    )
    assert [(r["hub"], r["n"]) for r in rows] == [("phone:05711234567", 2)]


def test_every_example_record_type_ingests(intake: Intake) -> None:
    lines = (ROOT / "schema" / "examples" / "records.jsonl").read_text(encoding="utf-8")
    records = [json.loads(x) for x in lines.splitlines() if x.strip()]
    from credit.domain.records import RECORD_TYPES

    assert {r["type"] for r in records} == set(RECORD_TYPES)
    report = ingest(intake, records)
    assert report.errors == []
    assert ingest(intake, records).changed == 0


def test_cli_ingest_reports_bad_lines_and_exit_codes(store: GraphStore, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _market()))
    done = run_cli("ingest", str(good))
    assert done.returncode == 0, done.stderr
    assert "10 received, 10 changed, 0 unchanged, 0 rejected" in done.stdout
    again = run_cli("ingest", str(good))
    assert "0 changed, 10 unchanged" in again.stdout
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(good.read_text() + "\n{not json}\n")
    done = run_cli("ingest", str(mixed))
    assert done.returncode == 1
    assert "line 11: (record): json.syntax:" in done.stderr


def test_a_person_known_by_another_systems_identifier_is_hashed_and_linked(
    intake: Intake, store: GraphStore
) -> None:
    key = {"scheme": "GB-COH", "id": "MXhjZ9kR"}
    report = ingest(
        intake,
        [
            f.organization(1),
            {"type": "person", "identifier": key, "name": "John Smith"},
            f.tie("OWNS", {"person_key": key}, {"org": f.make_uscc(1)}, share="0.75"),
        ],
    )
    assert report.errors == []
    rows = store.read("MATCH (p:Person)-[o:OWNS]->(:Organization) RETURN p {.*} AS p, o.share AS s")
    assert rows[0]["s"] == 0.75
    assert rows[0]["p"]["id_masked"] == "GB-COH:********"
    assert "MXhjZ9kR" not in str(rows[0]["p"])


def test_a_person_needs_exactly_one_key(intake: Intake) -> None:
    report = ingest(intake, [{"type": "person", "name": "无名"}])
    assert [(e.field, e.rule) for e in report.errors] == [("(record)", "person.key")]


def test_input_read_in_small_chunks_lands_as_if_read_at_once(store: GraphStore) -> None:
    """Entities defined chunks after the records that use them still land; a reference to
    nothing is reported once, at its line."""
    chunked = Intake(store, get_mapper(), batch_size=1, chunk_size=2)
    market = list(reversed(_market()))
    report = ingest(chunked, [*market, f.bid("BX", "L1", 77, "1.00")])
    assert [(e.line, e.field, e.rule) for e in report.errors] == [
        (len(market) + 1, "supplier", "reference.exists")
    ]
    assert report.changed == len(market)
    assert ingest(chunked, market).unchanged == len(market)
