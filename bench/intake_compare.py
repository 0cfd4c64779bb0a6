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

`--writers 1,2` also runs the intake in this process with each number of writers (batches
written at once; 1 is the intake before issue 21.2), recording wall time, this process's CPU
seconds and, when the server is local, the Neo4j process's CPU seconds per record: the machine
is shared, so CPU per record is the steadier figure and the projection to L uses it.
`--profile` adds where the time goes in one intake run: validation, mapping, content hashes,
each statement (client wall time and the server's own time from the result summaries), commits.

The database is emptied, so this needs an instance of its own: it refuses a non-empty one
unless given `--wipe` (bench/run.py starts a scratch instance for it).

  .venv/bin/python bench/intake_compare.py --out intake.json [--suppliers 3000] [--wipe]
      [--writers 1,2] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
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
from credit.formats import read_records
from credit.intake import mapping, pipeline
from credit.intake.mapping import GraphWrite
from credit.intake.pipeline import Intake, read_jsonl, validate_record
from credit.markets.demo import generate
from graph import feed_queries, intake_queries
from graph.launcher import process_on_port

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


def _server_cpu() -> float | None:
    """CPU seconds of the local Neo4j process so far, or None when it is not found here."""
    found = process_on_port(int(os.environ.get("CREDIT_NEO4J_PORT", "7687")))
    match = re.search(r"pid (\d+)", found or "")
    if match is None:
        return None
    fields = Path(f"/proc/{match.group(1)}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def writers_run(store: GraphStore, path: Path, writers: int, batch_size: int) -> dict[str, Any]:
    """One intake of the file on an emptied database with `writers` writers, in this process."""
    store.wipe()
    items = read_records(path).items
    intake = Intake(store, get_mapper(), batch_size, writers=writers)
    server, cpu, started = _server_cpu(), time.process_time(), time.perf_counter()
    report = intake.run(items)
    wall = time.perf_counter() - started
    cpu, after = time.process_time() - cpu, _server_cpu()
    assert not report.errors, report.errors[:3]
    records = report.received
    out: dict[str, Any] = {
        "writers": writers,
        "records": records,
        "seconds": round(wall, 2),
        "records_per_s": round(records / wall, 1),
        "client_cpu_us_per_record": round(1e6 * cpu / records),
        "load_average": os.getloadavg()[0],
    }
    if server is not None and after is not None:
        out["server_cpu_us_per_record"] = round(1e6 * (after - server) / records)
    return out


class _Profile:
    """Where one intake run's time goes: each stage and statement by name, with counts."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        names = (feed_queries, intake_queries)
        self.names = {v: k for m in names for k, v in vars(m).items() if isinstance(v, str)}

    def add(self, name: str, seconds: float, server_ms: float = 0.0) -> None:
        entry = self.times[name]
        entry[0] += 1
        entry[1] += seconds
        entry[2] += server_ms / 1000

    def timed(self, owner: Any, attribute: str, name: str) -> None:
        original = getattr(owner, attribute)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - started)

        setattr(owner, attribute, wrapper)

    def install(self) -> None:
        """Wrap the intake's stages and the driver's statements and commits (this process is
        the benchmark's own: nothing is restored)."""
        from neo4j._sync.work.transaction import TransactionBase

        profile, run = self, TransactionBase.run

        def statement(tx: Any, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = run(tx, query, parameters, **kwargs)
            rows = list(result)
            summary = result.consume()
            server = (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
            name = profile.names.get(query, " ".join(str(query).split())[:40])
            profile.add(f"statement {name}", time.perf_counter() - started, server)
            return _Rows(rows, summary)

        setattr(TransactionBase, "run", statement)  # noqa: B010 (a method replaced)
        self.timed(TransactionBase, "_commit", "commit")
        self.timed(pipeline, "validate_record", "validate (pydantic)")
        self.timed(mapping.Mapper, "map", "map to graph writes")
        self.timed(Intake, "apply", "write batches (writer threads, all of it)")
        self.timed(Intake, "_check_references", "reference checks")
        original = vars(mapping.GraphWrite)["content_hash"].fget

        def content_hash(write: GraphWrite) -> str:
            started = time.perf_counter()
            try:
                return str(original(write))
            finally:
                self.add("content hash", time.perf_counter() - started)

        setattr(mapping.GraphWrite, "content_hash", property(content_hash))  # noqa: B010

    def table(self) -> dict[str, dict[str, float]]:
        ordered = sorted(self.times.items(), key=lambda kv: -kv[1][1])
        return {
            name: {"calls": int(n), "seconds": round(wall, 2), "server_seconds": round(srv, 2)}
            for name, (n, wall, srv) in ordered
        }


class _Rows(list[Any]):
    """A statement's rows read in full (so its time is known), consumable like a result."""

    def __init__(self, rows: list[Any], summary: Any) -> None:
        super().__init__(rows)
        self.summary = summary

    def consume(self) -> Any:
        return self.summary

    def single(self) -> Any:
        return self[0] if self else None


def profile_run(store: GraphStore, path: Path, batch_size: int) -> dict[str, Any]:
    """One writer, so each stage's time is its own (not shared with another writer's)."""
    store.wipe()  # before the clocks start: only the run's own emptying check is counted
    profile = _Profile()
    profile.install()
    figures = writers_run(store, path, 1, batch_size)
    return {"run": figures, "where_the_time_goes": profile.table()}


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
    parser.add_argument("--writers", default="", help="e.g. 1,2: in-process intake runs")
    parser.add_argument("--profile", action="store_true", help="where one run's time goes")
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
        writer_runs: list[dict[str, Any]] = []
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
            for count in [int(n) for n in args.writers.split(",") if n]:
                writer_runs.append(writers_run(store, path, count, batch_size))
                sizes.add((f"writers={count}", *_size(store)))
        profiled = profile_run(store, path, batch_size) if args.profile else None
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
            "writers": writer_runs,
            "profile": profiled,
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
