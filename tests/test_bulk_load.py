"""Issue 21 item 1: `credit load --bulk` builds, through neo4j-admin's importer, the graph and
change feed that `credit ingest` builds from the same file, rejecting the same records with the
same errors, and refuses a database that holds data."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from credit.core.db import make_driver
from credit.core.settings import Settings
from credit.core.store import GraphStore, native
from credit.core.wiring import get_mapper
from credit.formats import read_records
from credit.intake.bulk import StagingGraph, stage
from credit.intake.pipeline import Intake, IntakeReport
from credit.markets.demo import generate
from credit.operations.backup import feed_gaps, graph_state
from graph import bulk_queries as bq
from tests import factories as f
from tests.conftest import ROOT, run_cli

INSTANCE = "bulktest"
RECEIVE_TIMES = frozenset({"received_at", "first_received_at", "status_recorded_at"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ownership() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Records of several sources about the same things, in three files: the owners' first
    records (and a record twice in one batch, and two sources' first versions of one record in
    one batch); another source contributing to a shared organisation and person (a conflicting
    name, a role, a phone, an address) and trying a violation, a listing and a tie it does not
    own (refused); the owners' later versions (feed events; the organisation's own phone
    replaced, the contributed one kept)."""
    until = "2027-06-30"
    listing = {
        "type": "external_listing",
        "id": "court-L1",
        "list": "COURT_DISHONEST_DEBTOR",
        "subject": f.make_uscc(901),
        "subject_name": "测试供应商901有限公司",
        "authority": "杭州市中级人民法院",
        "listed_on": "2025-01-01",
        "source": "court",
    }
    tie = f.tie("OWNS", {"org": f.make_uscc(902)}, {"org": f.make_uscc(901)}, share="0.6")
    owned = f.violation("V-OWN-1", 901, source="province", ban_end=until, external_id="P-1")
    first = [
        f.organization(901, source="province", phones=["0571-1"], region="330106"),
        f.organization(902, source="province"),
        f.person(901, source="province", phones=["139-1"]),
        owned,
        listing,
        tie | {"source": "province"},
        f.violation("V-OWN-2", 902, source="province"),
        f.violation("V-OWN-2", 902, source="province", penalty_content="更正"),
        f.violation("V-OWN-3", 902, source="province"),
        f.violation("V-OWN-3", 902, source="national", penalty_content="国家"),
    ]
    others = [
        f.organization(
            901,
            source="court",
            name="另一个名字有限公司",
            roles=["SUPPLIER", "AGENCY"],
            phones=["0571-2"],
            address="杭州市西湖区1号",
            region="330100",
        ),
        f.person(901, source="court", name="张九百零一", phones=["139-2"]),
        owned | {"source": "national", "version": 2, "status": "OVERTURNED"},
        listing | {"source": "national", "version": 5, "retracted_on": "2025-06-01"},
        tie | {"source": "court", "share": "0.9"},
    ]
    later = [
        owned | {"status": "REPAIRED", "status_date": "2025-06-01", "version": 2},
        listing | {"version": 2, "retracted_on": "2025-07-01"},
        f.organization(901, source="province", version=2, phones=["0571-3"]),
    ]
    for record in owned, *others, *later:
        if "status" in record:
            record["status_date"] = "2025-06-01"
    return first, others, later


def _jsonl(records: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(f.valid(r), ensure_ascii=False) for r in records]


def _demo(suppliers: int = 100) -> list[str]:
    """A small demo market and the examples of every record type."""
    lines = [json.dumps(r, ensure_ascii=False) for r in generate(suppliers=suppliers, seed=7)]
    return lines + (ROOT / "schema" / "examples" / "records.jsonl").read_text("utf-8").splitlines()


def _market(*paths: Path) -> None:
    """A small market with the owners' first records and one violation twice (two states in
    one batch); then the other sources' records; then, in a third file, the owners' later
    versions, a later state of that violation (a feed event that is not a creation) and three
    records the intake rejects."""
    first, others, later = _ownership()
    lines = _demo() + _jsonl(first)
    violation = next(json.loads(x) for x in lines if '"type": "violation"' in x)
    bid = next(json.loads(x) for x in lines if '"type": "bid"' in x)
    amended = {**violation, "penalty_content": "更正：" + violation["penalty_content"]}
    lines.append(json.dumps(amended, ensure_ascii=False))
    rest = [
        *_jsonl(later),
        json.dumps({**amended, "penalty_content": "再" + amended["penalty_content"]}),
        '{"type": "organization", "uscc": "91110000000000000X", "name": "坏", "roles": []}',
        json.dumps({**bid, "id": "B-NOWHERE", "lot": "no-such-lot"}, ensure_ascii=False),
        "not json",
    ]
    for path, content in zip(paths, (lines, _jsonl(others), rest), strict=True):
        path.write_text("\n".join(content) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def bulk_env() -> Iterator[dict[str, str]]:
    """A scratch instance of its own: the import stops the database and replaces it."""
    values = {
        **os.environ,
        "CREDIT_INSTANCE": INSTANCE,
        "CREDIT_NEO4J_PORT": str(_free_port()),
        "CREDIT_NEO4J_HEAP": "512m",
        "CREDIT_NEO4J_PAGECACHE": "128m",
    }
    values.pop("NEO4J_URI", None)
    _remove(values)  # a run killed midway leaves its instance and data behind
    yield values
    _remove(values)


def _remove(env: dict[str, str]) -> None:
    _credit(env, "neo4j", "stop")
    shutil.rmtree(ROOT / ".local" / f"neo4j-{INSTANCE}", ignore_errors=True)


def _credit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credit.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("bulk")
    paths = [folder / "market.jsonl", folder / "others.jsonl", folder / "later.jsonl"]
    _market(*paths)
    return [str(p) for p in paths]


@pytest.fixture(scope="module")
def bulk_loaded(bulk_env: dict[str, str], market: list[str]) -> subprocess.CompletedProcess[str]:
    return _credit(bulk_env, "load", "--bulk", *market)


def _bulk_store() -> GraphStore:
    settings = Settings(instance=INSTANCE, local_dir=ROOT / ".local")  # its URI: its state file
    return GraphStore(make_driver(settings), settings.neo4j_database)


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("line ")]


def test_bulk_load_builds_the_graph_and_feed_the_online_intake_builds(
    store: GraphStore, market: list[str], bulk_env: dict[str, str], bulk_loaded: Any
) -> None:
    online = run_cli("ingest", *market)
    assert online.returncode == 1, online.stderr  # three records are rejected
    assert bulk_loaded.returncode == 1, bulk_loaded.stderr
    assert "stopping Neo4j 'bulktest' (neo4j-admin database import runs offline)" in (
        bulk_loaded.stderr
    )
    errors = _errors(online.stderr)
    assert len(errors) >= 3 and sorted(_errors(bulk_loaded.stderr)) == sorted(errors)
    assert any(": source.not_owner: " in e for e in errors)
    assert any(": source.conflict: " in e for e in errors)
    assert any(": reference.exists: " in e for e in errors)

    bulk = _bulk_store()
    try:
        online_state, bulk_state = graph_state(store), graph_state(bulk)
        # the test fixture's wipe removes the check log's head, which migration 0017 created
        assert bulk_state.labels.pop("CheckLogHead") == 1
        assert bulk_state.labels == online_state.labels
        assert bulk_state.relationships == online_state.relationships
        assert (bulk_state.feed_head, bulk_state.audit_head, bulk_state.migration) == (
            online_state.feed_head,
            online_state.audit_head,
            online_state.migration,
        )
        assert feed_gaps(bulk) is None

        bulk_nodes, bulk_rels = _online_graph(bulk)
        online_nodes, online_rels = _online_graph(store)
        assert _difference(bulk_nodes, online_nodes) == ([], [])
        assert _difference(bulk_rels, online_rels) == ([], [])

        events = [dict(r) for r in store.read(bq.FEED_EVENTS)]
        assert {e["kind"] for e in events} >= {"VIOLATION_RECORDED", "VIOLATION_AMENDED"}
        assert [dict(r) for r in bulk.read(bq.FEED_EVENTS)] == events
    finally:
        bulk.driver.close()


def test_bulk_load_refuses_a_database_that_holds_data(
    bulk_env: dict[str, str], market: list[str], bulk_loaded: Any
) -> None:
    again = _credit(bulk_env, "load", "--bulk", *market)
    assert again.returncode == 1
    refusals = [line for line in again.stderr.splitlines() if "not empty" in line]
    assert refusals == [refusals[0]] and refusals[0].startswith("credit: the target database")
    assert "stopping Neo4j" not in again.stderr


# --- the staging store against the online one, statement by statement ----------------------

TIME = "<time>"


def _value(key: str, value: Any) -> Any:
    if key in RECEIVE_TIMES:
        return TIME  # present or not is compared, not when each build ran
    if isinstance(value, list):
        return tuple(_value("", v) for v in value)
    if isinstance(value, date):  # a datetime too: the instant and its offset
        return value.isoformat()
    return str(value) if isinstance(value, str) else value  # an enumeration's value


def _props(props: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, repr(_value(k, v))) for k, v in native(props).items()))


def _online_graph(store: GraphStore) -> tuple[list[Any], list[Any]]:
    nodes = sorted(
        (tuple(sorted(r["labels"])), _props(r["props"])) for r in store.read(bq.GRAPH_NODES)
    )
    rels = sorted(
        (r["type"], r["start"], r["end"], _props(r["props"]))
        for r in store.read(bq.GRAPH_RELATIONSHIPS)
    )
    return nodes, rels


def _staged_graph(graph: StagingGraph) -> tuple[list[Any], list[Any]]:
    nodes = [(tuple(sorted(n.labels)), _props(n.props)) for n in graph.entities.values()]
    nodes += [(("ConflictingValue",), _props(v)) for v in graph.conflicting.values()]
    rels = [(r.type, r.start, r.end, _props(graph.properties(r))) for r in graph.relationships()]
    return sorted(nodes), sorted(rels)


def _difference(bulk: list[Any], online: list[Any]) -> tuple[list[Any], list[Any]]:
    """What only the bulk build has, and what only the online build has (a multiset each)."""
    left, right = Counter(bulk), Counter(online)
    return sorted((left - right).elements()), sorted((right - left).elements())


def _event(change: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in change.items()))


def _outcome(report: IntakeReport) -> tuple[Any, ...]:
    """What a report says, conflicts in any order (a record's fields come in map order)."""
    return (
        report.received,
        report.changed,
        report.unchanged,
        [str(e) for e in report.errors],
        sorted(str(e) for e in report.conflicts),
        report.changed_uids,
    )


@pytest.mark.parametrize("keep", [StagingGraph.keep, 0], ids=["cached", "every-batch-from-disk"])
def test_the_staged_graph_is_the_online_graph_with_owners_conflicts_and_feed(
    store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int
) -> None:
    """Small batches, so records of one source and another meet in one batch and across
    batches; validated in two worker processes as a bulk load does. With `keep` 0 the
    staging file's caches forget everything after each batch, so every entry a batch reads
    comes back from disk."""
    monkeypatch.setattr(StagingGraph, "keep", keep)
    paths = [tmp_path / "market.jsonl", tmp_path / "others.jsonl", tmp_path / "later.jsonl"]
    _market(*paths)
    intake = Intake(store, get_mapper(), batch_size=100)
    online = [intake.run(read_records(path).items) for path in paths]
    graph, result = stage(
        paths, "jsonl", None, get_mapper(), batch_size=100, folder=tmp_path / "staging", workers=2
    )
    bulk = [item.report for item in result.files]

    assert [_outcome(r) for r in bulk] == [_outcome(r) for r in online]
    refused = [e.message.split()[0] for e in online[1].errors if e.rule == "source.not_owner"]
    assert refused[:2] == ["violation:V-OWN-1", "listing:court-L1"] and len(refused) == 3
    assert {e.field for e in online[1].conflicts} == {"name", "region"}
    (staged_nodes, staged_rels), (online_nodes, online_rels) = (
        _staged_graph(graph),
        _online_graph(store),
    )
    assert _difference(staged_nodes, online_nodes) == ([], [])
    assert _difference(staged_rels, online_rels) == ([], [])
    assert graph.conflicting and any(
        "contributed_roles" in n.props for n in graph.entities.values()
    )
    events = [dict(r) for r in store.read(bq.FEED_EVENTS)]
    kinds = {e["kind"] for e in events}
    assert kinds >= {"VIOLATION_RECORDED", "VIOLATION_REPAIRED", "LISTING_RETRACTED"}
    changes = [
        {k: c[k] for k in ("seq", "kind", "record", "subject", "payload")} for c in graph.changes
    ]
    assert _difference(list(map(_event, changes)), list(map(_event, events))) == ([], [])
    assert changes == events
