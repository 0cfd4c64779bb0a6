"""Intake speed: `credit ingest` (validation, reference checks, mapping, versioned upserts and
change-feed publishing) against a bare UNWIND/MERGE loader of the same rows, in one run.

The input is a demo market (our generator, 10 bids a supplier) written as JSON Lines. Both
loaders start from an emptied database, in turn, `--rounds` times each, and the best round of
each counts (the machine is shared; the best round is the least disturbed). The bare loader is
the floor: the rows are the graph our mapper makes of the file, prepared before its clock starts
(no parsing, no validation, no reference or version checks, no feed), written with one static
`UNWIND ... MERGE` statement per node label set and relationship type, one transaction per
batch of the same records and batch size as the intake, through the same driver settings.
Both writes are checked to leave the same number of entities and relationships.

The database is emptied, so this needs an instance of its own: it refuses a non-empty one
unless given `--wipe` (bench/run.py starts a scratch instance for it).

  .venv/bin/python bench/intake_compare.py --out intake.json [--suppliers 3000] [--wipe]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from neo4j import ManagedTransaction

from credit.core.settings import get_settings
from credit.core.store import GraphStore
from credit.core.wiring import get_mapper, get_store
from credit.domain.records import RECORD_TYPES
from credit.intake.mapping import GraphWrite
from credit.intake.pipeline import read_jsonl, validate_record
from credit.markets.demo import generate

TARGET_RATIO = 0.8
SEED = 20151
_NAME = re.compile(r"^[A-Z][A-Za-z_]*$")  # labels and types come from our mapper, checked anyway
_RANK = {name: i for i, name in enumerate(RECORD_TYPES)}
CREDIT = str(Path(sys.executable).with_name("credit"))
GRAPH_SIZE = """
MATCH (n:Entity) WITH count(n) AS nodes
MATCH (:Entity)-[r]->(:Entity) RETURN nodes, count(r) AS relationships
"""

Rows = list[dict[str, Any]]
Shapes = dict[tuple[str, ...], Rows]


def _labels(names: tuple[str, ...]) -> str:
    assert all(_NAME.match(n) for n in names), names
    return ":".join(names)


def write_market(path: Path, suppliers: int) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in generate(suppliers=suppliers, seed=SEED, bids=10 * suppliers):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _mapped(path: Path) -> list[GraphWrite]:
    """The file's records as our mapper writes them, in dependency order."""
    mapper = get_mapper()
    records = []
    for line, text in read_jsonl(path):
        record = validate_record(line, text)
        assert not isinstance(record, list), record
        records.append(record)
    records.sort(key=lambda r: _RANK[r.type])
    return [mapper.map(r) for r in records]


def bare_batches(writes: list[GraphWrite], size: int) -> Iterator[tuple[Shapes, ...]]:
    """Per batch of records: hub, node, relationship-record and edge rows grouped by shape."""
    for start in range(0, len(writes), size):
        hubs: dict[tuple[str, ...], dict[str, Any]] = defaultdict(dict)
        nodes: Shapes = defaultdict(list)
        records: Shapes = defaultdict(list)
        edges: Shapes = defaultdict(list)
        for w in writes[start : start + size]:
            for hub in w.hubs:
                hubs[hub.labels][hub.uid] = {"uid": hub.uid, "props": hub.props}
            if w.node is not None:
                props = {**w.node.props, **w.provenance}
                nodes[w.node.labels].append({"uid": w.uid, "props": props})
            if w.edge_record is not None:
                e = w.edge_record
                props = {**e.props, **w.provenance}
                records[(e.type,)].append(
                    {"uid": w.uid, "start": e.start, "end": e.end, "props": props}
                )
            for e in w.edges:
                props = {**e.props, **w.provenance, "owner": w.uid}
                edges[(e.type,)].append({"start": e.start, "end": e.end, "props": props})
        yield {k: list(v.values()) for k, v in hubs.items()}, nodes, records, edges


def _bare_statements(
    hubs: Shapes, nodes: Shapes, records: Shapes, edges: Shapes
) -> Iterator[tuple[str, Rows]]:
    for labels, rows in hubs.items():
        yield (
            "UNWIND $rows AS row MERGE (n:Entity {uid: row.uid}) "
            f"ON CREATE SET n += row.props, n:{_labels(labels)}",
            rows,
        )
    for labels, rows in nodes.items():
        yield (
            "UNWIND $rows AS row MERGE (n:Entity {uid: row.uid}) "
            f"SET n += row.props, n:{_labels(labels)}",
            rows,
        )
    for (kind,), rows in records.items():
        yield (
            "UNWIND $rows AS row MATCH (a:Entity {uid: row.start}) MATCH (b:Entity {uid: row.end}) "
            f"MERGE (a)-[x:{_labels((kind,))} {{uid: row.uid}}]->(b) SET x += row.props",
            rows,
        )
    for (kind,), rows in edges.items():
        yield (
            "UNWIND $rows AS row MATCH (a:Entity {uid: row.start}) MATCH (b:Entity {uid: row.end}) "
            f"MERGE (a)-[x:{_labels((kind,))}]->(b) SET x += row.props",
            rows,
        )


def bare_load(store: GraphStore, batches: list[tuple[Shapes, ...]]) -> float:
    """Write the prepared batches, one transaction each; return the seconds it took."""
    started = time.perf_counter()
    for batch in batches:
        statements = list(_bare_statements(*batch))

        def work(tx: ManagedTransaction, statements: list[tuple[str, Rows]] = statements) -> None:
            for cypher, rows in statements:
                tx.run(cypher, rows=rows).consume()

        store.transaction(work)
    return time.perf_counter() - started


_RATE = re.compile(r"(\d+) received, (\d+) changed.* in ([\d.]+)s")


def intake_load(path: Path) -> tuple[float, float, str]:
    """`credit ingest FILE` as a user runs it; returns its own timing (reading, validation,
    checks, writes, feed), the wall time including process start, and its summary line."""
    started = time.perf_counter()
    done = subprocess.run(
        [CREDIT, "ingest", str(path)], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"credit ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = done.stdout.strip().splitlines()[-1]
    match = _RATE.search(summary)
    assert match, summary
    return float(match.group(3)), wall, summary


def _size(store: GraphStore) -> tuple[int, int]:
    row = store.read(GRAPH_SIZE)[0]
    return int(row["nodes"]), int(row["relationships"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--suppliers", type=int, default=3000)
    parser.add_argument("--input", type=Path, help="a JSON Lines file instead of a new market")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--wipe", action="store_true", help="empty a database that holds data")
    args = parser.parse_args()

    store = get_store()
    if store.count_entities() and not args.wipe:
        raise SystemExit("the database holds data; this benchmark empties it (pass --wipe)")
    batch_size = get_settings().ingest_batch_size
    with tempfile.TemporaryDirectory() as tmp:
        path = args.input or Path(tmp) / "market.jsonl"
        if args.input is None:
            write_market(path, args.suppliers)
        writes = _mapped(path)
        batches = list(bare_batches(writes, batch_size))
        intake_times, bare_times, walls, sizes = [], [], [], set()
        summary = ""
        for _ in range(args.rounds):
            store.wipe()
            seconds, wall, summary = intake_load(path)
            intake_times.append(seconds)
            walls.append(wall)
            sizes.add(("intake", *_size(store)))
            store.wipe()
            bare_times.append(bare_load(store, batches))
            sizes.add(("bare", *_size(store)))
        store.wipe()
    records = len(writes)
    intake_rate = records / min(intake_times)
    bare_rate = records / min(bare_times)
    ratio = intake_rate / bare_rate
    same_graph = len({s[1:] for s in sizes}) == 1
    origin = args.input or f"demo market, {args.suppliers} suppliers, seed {SEED}"
    result = {
        "part": "intake",
        "figures": {
            "records": records,
            "batch_size": batch_size,
            "rounds": args.rounds,
            "intake_records_per_s": round(intake_rate, 1),
            "bare_records_per_s": round(bare_rate, 1),
            "ratio": round(ratio, 3),
            "intake_seconds": [round(t, 2) for t in intake_times],
            "intake_wall_seconds_with_process_start": [round(t, 2) for t in walls],
            "bare_seconds": [round(t, 2) for t in bare_times],
            "graph": {kind: {"nodes": n, "relationships": r} for kind, n, r in sorted(sizes)},
        },
        "targets": [
            {
                "name": "intake records/s vs bare UNWIND/MERGE loader",
                "value": round(ratio, 3),
                "target": f">= {TARGET_RATIO}",
                "met": ratio >= TARGET_RATIO,
            },
            {
                "name": "both loaders write the same graph (entities, relationships)",
                "value": same_graph,
                "target": True,
                "met": same_graph,
            },
        ],
        "notes": [
            f"input: {records} records ({origin})",
            f"intake: `credit ingest` on an emptied database, its own timing: {summary}",
            "bare: rows prepared before the clock starts (the write floor), emptied database",
        ],
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result["figures"], indent=2))


if __name__ == "__main__":
    main()
