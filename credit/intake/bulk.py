"""First loads through Neo4j's importer (issue 21): `credit load --bulk FILE...`.

The records go through the same `Intake` as `credit ingest` (validation, reference checks,
dependency order, versions, the same per-record errors), but its store is `MemoryGraph`, which
does in memory what `GraphStore.apply`'s Cypher does in Neo4j (graph/queries.py UPSERT_HUBS,
UPSERT_NODES, UPSERT_EDGE_RECORDS, CREATE_EDGES) and builds the change-feed events the online
intake would have appended (credit/sync/feed.py `record_event`, sequence 1..N in write order).
That graph is written as the importer's CSV files, `neo4j-admin database import full` builds a
new database from them offline, and the migrations run over it (they are idempotent: the
imported FeedHead keeps its sequence). The node and relationship properties are the mapper's,
so what the mapping writes (provenance, content hashes, owners) the bulk path writes too.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, LiteralString

from neo4j import ManagedTransaction

from credit.formats import READERS, leave_known_organizations
from credit.intake.mapping import GraphWrite, Mapper
from credit.intake.pipeline import Intake, IntakeError, IntakeReport
from credit.store import EDITABLE_SOURCES, GENESIS, OPTIONAL_LABELS, Changed, ChangeHook, GraphStore
from credit.sync.feed import PUBLISHED_TYPES, record_event

Log = Callable[[str], object]
ARRAY_DELIMITER = "\x1f"  # the unit separator: never in our values (checked when written)
SUBJECT_EDGES = frozenset({"AGAINST", "LISTS"})  # FEED_RECORD_STATE's subject relationships
SUBJECT_KEYS = ("uid", "name", "uscc", "id_masked")


class BulkRefused(RuntimeError):
    """The target cannot take a bulk load (it holds data)."""


@dataclass
class Rel:
    type: str
    start: str
    end: str
    props: dict[str, Any]


@dataclass
class Node:
    labels: set[str]
    props: dict[str, Any]


def _merge(target: dict[str, Any], values: dict[str, Any]) -> None:
    """Cypher's `SET x += values`: a null removes the property."""
    for key, value in values.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


def _lifecycle(props: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        "" if props.get(k) is None else str(props[k])
        for k in ("status", "retracted_on", "suspended_on", "suspension_lifted_on")
    )


def _newer(stored: dict[str, Any], content_hash: str, prov: dict[str, Any]) -> bool:
    """UPSERT_NODES' condition for a record that exists: changed content, not an older version
    (the same version only from our own sources)."""
    version = stored.get("version")
    return stored["content_hash"] != content_hash and (
        (version or 0) < prov["version"]
        or (version == prov["version"] and prov["source"] in EDITABLE_SOURCES)
    )


class MemoryGraph(GraphStore):
    """The intake's store for a bulk load: the graph the online intake would commit, held in
    memory (the target database is empty, so nothing outside it exists). Batches arrive from
    the intake's writer thread one at a time, in order, as they would be committed."""

    def __init__(self, received_at: datetime | None = None) -> None:  # no driver: no database
        self.database = ""
        self.received_at = received_at or datetime.now(UTC)
        self.entities: dict[str, Node] = {}
        self.owned: dict[str, list[Rel]] = {}  # record uid -> the relationships it wrote
        self.edge_records: dict[tuple[str, str, str, str], Rel] = {}  # (type, start, end, uid)
        self.changes: list[dict[str, Any]] = []

    def read(self, cypher: LiteralString, **params: Any) -> list[Any]:
        raise RuntimeError("a bulk load's graph is in memory: nothing to query")

    write = read

    def existing_uids(self, uids: Iterable[str]) -> set[str]:
        return {uid for uid in uids if uid in self.entities}

    def count_entities(self) -> int:
        return len(self.entities)

    def apply(self, writes: Sequence[GraphWrite], on_changed: ChangeHook | None = None) -> set[str]:
        """GraphStore.apply's transaction, step by step; `on_changed` (the intake's feed hook)
        is answered with the events publish_record_changes would append."""
        now = self.received_at
        hubs = {hub.uid: hub for w in writes for hub in w.hubs}  # the last in a batch, as there
        for uid, hub in hubs.items():
            if uid not in self.entities:
                props = {k: v for k, v in hub.props.items() if v is not None}
                self.entities[uid] = Node(
                    {"Entity", *hub.labels}, {**props, "uid": uid, "received_at": now}
                )
        changed: dict[str, None] = {}
        details: list[Changed] = []
        # Each statement reads every row's condition before any row writes (the planner puts
        # an eager barrier before the SETs): a record twice in one batch is "created" twice.
        before: dict[str, dict[str, Any]] = {}
        passing = []
        for w in writes:
            if w.node is not None:
                node = self.entities.setdefault(w.uid, Node({"Entity"}, {"uid": w.uid}))
                state = before.setdefault(w.uid, dict(node.props))
                if "content_hash" not in state or _newer(state, w.content_hash, w.provenance):
                    passing.append(w)
        for w in passing:
            assert w.node is not None
            prov, state, node = w.provenance, before[w.uid], self.entities[w.uid]
            props, created = node.props, "content_hash" not in state
            props["first_received_at"] = props.get("first_received_at") or props.get(
                "received_at", now
            )
            _merge(props, w.node.props)
            _merge(props, prov)
            props |= {"uid": w.uid, "content_hash": w.content_hash, "received_at": now}
            node.labels |= set(w.node.labels)
            node.labels -= OPTIONAL_LABELS - set(w.node.labels)
            if all(props.get(k) is None for k in ("status", "retracted_on", "suspended_on")):
                props.pop("status_recorded_at", None)
            elif created or _lifecycle(state) != _lifecycle(props):
                props["status_recorded_at"] = now
            self.owned.pop(w.uid, None)  # its relationships are written anew below
            changed[w.uid] = None
            previous = {k: state.get(k) for k in ("status", "retracted_on", "version")}
            details.append(Changed(w.uid, prov["record_type"], created, previous))
        rel_before: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        rel_passing = []
        for w in writes:
            e = w.edge_record
            if e is None or e.start not in self.entities or e.end not in self.entities:
                continue
            key = (e.type, e.start, e.end, w.uid)
            rel = self.edge_records.setdefault(key, Rel(e.type, e.start, e.end, {"uid": w.uid}))
            state = rel_before.setdefault(key, dict(rel.props))
            if "content_hash" not in state or _newer(state, w.content_hash, w.provenance):
                rel_passing.append((w, rel))
        for w, rel in rel_passing:
            assert w.edge_record is not None
            _merge(rel.props, w.edge_record.props)
            _merge(rel.props, w.provenance)
            rel.props |= {"content_hash": w.content_hash, "received_at": now}
            changed[w.uid] = None
        by_uid = {w.uid: w for w in writes}
        for uid in changed:
            w = by_uid[uid]
            rels = [
                Rel(
                    e.type,
                    e.start,
                    e.end,
                    {
                        k: v
                        for k, v in {**e.props, **w.provenance, "owner": uid}.items()
                        if v is not None
                    }
                    | {"received_at": now},
                )
                for e in w.edges
                if e.start in self.entities and e.end in self.entities
            ]
            if rels:
                self.owned[uid] = rels
        if on_changed is not None and details:
            self._publish(details)
        return set(changed)

    def _publish(self, details: list[Changed]) -> None:
        """The events FEED_RECORD_STATE + record_event give inside the online transaction."""
        relevant = {c.uid: c for c in details if c.record_type in PUBLISHED_TYPES}
        at = datetime.now(UTC)
        for uid in sorted(relevant):
            record = dict(self.entities[uid].props)
            subjects: Sequence[str | None] = sorted(
                r.end for r in self.owned.get(uid, ()) if r.type in SUBJECT_EDGES and r.start == uid
            )
            for subject in subjects or [None]:
                props, labels = None, None
                if subject is not None:
                    node = self.entities[subject]
                    props = {k: node.props.get(k) for k in SUBJECT_KEYS}
                    labels = sorted(node.labels)
                event = record_event(relevant[uid], record, props, labels)
                self.changes.append(
                    {
                        "seq": len(self.changes) + 1,
                        "id": uuid.uuid4().hex,
                        "kind": event.kind,
                        "record": event.record_uid,
                        "subject": event.subject_uid,
                        "payload": _payload(event.payload),
                        "at": at,
                    }
                )

    def transaction(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        raise RuntimeError("a bulk load's graph is in memory: no transactions")

    def relationships(self) -> Iterator[Rel]:
        yield from self.edge_records.values()
        for rels in self.owned.values():
            yield from rels


def _payload(payload: dict[str, Any]) -> str:
    import json

    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


# -- the importer's CSV files ----------------------------------------------------------------


def csv_type(value: Any) -> str:
    """The importer's type of a property value, as the driver would have stored it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "datetime" if value.tzinfo is not None else "localdatetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return "string[]"
    raise TypeError(f"no importer type for {type(value).__name__} value {value!r}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return _quoted(ARRAY_DELIMITER.join(_checked(str(v)) for v in value))
    if isinstance(value, date):
        return value.isoformat()
    return _quoted(_checked(str(value)))


def _checked(text: str) -> str:
    if ARRAY_DELIMITER in text:
        raise ValueError(f"a value holds the importer's array delimiter U+001F: {text[:40]!r}")
    return text


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass
class CsvFiles:
    nodes: list[Path] = field(default_factory=list)
    relationships: list[Path] = field(default_factory=list)
    multiline: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def options(self, report: Path) -> tuple[str, ...]:
        return (
            "--id-type=string",
            "--array-delimiter=U+001F",
            f"--multiline-fields={'true' if self.multiline else 'false'}",
            f"--report-file={report}",
        )


Row = tuple[dict[str, Any], list[str]]  # properties, then the leading id/label/type columns


def _write_group(
    folder: Path, name: str, leading: list[str], rows: list[Row], files: list[Path], out: CsvFiles
) -> None:
    """One label set's (or relationship type's) rows; a property with two types splits them
    into one file per combination, since a header gives each column one type."""
    types: dict[str, set[str]] = defaultdict(set)
    for props, _ in rows:
        for key, value in props.items():
            types[key].add(csv_type(value))
    split = sorted(k for k, t in types.items() if len(t) > 1)
    parts: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for row in rows:
        parts[tuple(csv_type(row[0][k]) if k in row[0] else "" for k in split)].append(row)
    for i, (signature, part) in enumerate(sorted(parts.items())):
        chosen = dict(zip(split, signature, strict=True))
        keys = sorted(k for k in types if k not in chosen or chosen[k])
        header = [*leading] + [f"{k}:{chosen.get(k) or next(iter(types[k]))}" for k in keys]
        path = folder / f"{name}-{i}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(",".join(header) + "\n")
            for props, columns in part:
                cells = [*columns] + ["" if props.get(k) is None else _text(props[k]) for k in keys]
                line = ",".join(cells)
                out.multiline = out.multiline or "\n" in line or "\r" in line
                handle.write(line + "\n")
        files.append(path)


def write_csv(graph: MemoryGraph, folder: Path) -> CsvFiles:
    """The graph as the importer's node files (per label set) and relationship files (per
    type), with the feed's Change nodes and the feed and audit heads."""
    folder.mkdir(parents=True, exist_ok=True)
    out = CsvFiles()
    by_labels: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for uid, node in graph.entities.items():
        labels = tuple(sorted(node.labels))
        props = {k: v for k, v in node.props.items() if k != "uid"}
        by_labels[labels].append((props, [_quoted(uid), _quoted(ARRAY_DELIMITER.join(labels))]))
    for labels, rows in sorted(by_labels.items()):
        _write_group(
            folder, "n-" + "_".join(labels), ["uid:ID(Entity)", ":LABEL"], rows, out.nodes, out
        )
        out.counts["|".join(labels)] = len(rows)
    changes: list[Row] = [
        ({k: v for k, v in c.items() if k != "id"}, [_quoted(c["id"]), '"Change"'])
        for c in graph.changes
    ]
    if changes:
        _write_group(folder, "n-Change", ["id:ID(Change)", ":LABEL"], changes, out.nodes, out)
    heads = folder / "n-heads.csv"
    heads.write_text(
        ":ID(Head),:LABEL,id:long,seq:long,hash:string\n"
        f'feed,"FeedHead",1,{len(graph.changes)},\n'
        f'audit,"AuditHead",1,0,"{GENESIS}"\n',
        encoding="utf-8",
    )
    out.nodes.append(heads)
    by_type: dict[str, list[Row]] = defaultdict(list)
    for rel in graph.relationships():
        by_type[rel.type].append(
            (rel.props, [_quoted(rel.start), _quoted(rel.end), _quoted(rel.type)])
        )
    for rel_type, rows in sorted(by_type.items()):
        _write_group(
            folder,
            f"r-{rel_type}",
            [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE"],
            rows,
            out.relationships,
            out,
        )
        out.counts[rel_type] = len(rows)
    return out


# -- the whole load --------------------------------------------------------------------------


@dataclass
class FileReport:
    path: Path
    report: IntakeReport
    origins: dict[int, str]
    conversion_lines: list[str]
    conversion_errors: bool


@dataclass
class BulkResult:
    files: list[FileReport] = field(default_factory=list)
    records: int = 0
    nodes: int = 0
    relationships: int = 0
    changes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[IntakeError]:
        return [e for f in self.files for e in f.report.errors]

    @property
    def exit_code(self) -> int:
        bad = any(f.report.errors or f.conversion_errors for f in self.files)
        return 1 if bad else 0


def stage(
    paths: Sequence[Path],
    fmt: str,
    source: str | None,
    mapper: Mapper,
    batch_size: int,
    progress: Callable[[int], object] | None = None,
) -> tuple[MemoryGraph, BulkResult]:
    """Validate and map every file through the intake into an in-memory graph."""
    graph = MemoryGraph()
    intake = Intake(graph, mapper, batch_size)
    result = BulkResult()
    for path in paths:
        conversion = READERS[fmt](path, source)
        leave_known_organizations(conversion, graph.existing_uids)
        report = intake.run(conversion.items, progress=progress)
        lines = conversion.report.lines() if conversion.report is not None else []
        errors = bool(conversion.report is not None and conversion.report.errors)
        result.files.append(FileReport(path, report, conversion.origins, lines, errors))
        result.records += report.received
    result.nodes = len(graph.entities)
    result.changes = len(graph.changes)
    return graph, result


def target_problem(store: GraphStore) -> str | None:
    """Why the target database cannot take a bulk load, or None when it is empty."""
    from graph.bulk_queries import TARGET_CONTENT

    row = store.read(TARGET_CONTENT)[0]
    if row["data"] or row["heads"]:
        return (
            f"the target database is not empty ({row['data']} nodes of data): a bulk load "
            "builds a new database; use `credit ingest` to add to this one"
        )
    return None


def bulk_load(
    paths: Sequence[Path],
    fmt: str,
    source: str | None,
    store: GraphStore,
    mapper: Mapper,
    batch_size: int,
    work_dir: Path,
    run_import: Callable[[CsvFiles], dict[str, float]],
    log: Log,
    progress: Callable[[int], object] | None = None,
) -> BulkResult:
    """Refuse a target with data; stage, write the CSV files, then `run_import` (stops the
    instance, imports, starts it and migrates, and says how long each step took)."""
    problem = target_problem(store)
    if problem is not None:
        raise BulkRefused(problem)
    started = time.perf_counter()
    graph, result = stage(paths, fmt, source, mapper, batch_size, progress)
    result.seconds["validate_and_map"] = time.perf_counter() - started
    mark = time.perf_counter()
    files = write_csv(graph, work_dir)
    result.relationships = sum(1 for _ in graph.relationships())
    del graph
    result.seconds["write_csv"] = time.perf_counter() - mark
    mark = time.perf_counter()
    log(
        f"importing {result.nodes} entities, {result.relationships} relationships and "
        f"{result.changes} feed changes with neo4j-admin database import full"
    )
    result.seconds |= run_import(files)
    result.seconds["import_and_migrate"] = time.perf_counter() - mark
    result.seconds["total"] = time.perf_counter() - started
    return result
