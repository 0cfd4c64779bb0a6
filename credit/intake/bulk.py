"""First loads through Neo4j's importer (issue 21): `credit load --bulk FILE...`.

The records go through the same `Intake` as `credit ingest` (validation, reference checks,
dependency order, versions, ownership, the same per-record errors), but its store is
`StagingGraph`, which does in a scratch SQLite file what `GraphStore.apply`'s statements do in
Neo4j
(graph/intake_queries.py UPSERT_HUBS, UPSERT_NODES, UPSERT_EDGE_RECORDS, CREATE_EDGES,
CONTRIBUTE_NODES, CONTRIBUTE_EDGES) and builds the change-feed events the online intake would
have appended (credit/sync/feed.py `record_event`, sequence 1..N in write order).
Validation and mapping, the costly part, run in worker processes over chunks of the input; their
results come back in input order, so the intake sees exactly the sequence `credit ingest` sees.
That graph is written as the importer's CSV files, `neo4j-admin database import full` builds a
new database from them offline, and the migrations run over it (they are idempotent: the
imported FeedHead keeps its sequence).
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import pickle
import shutil
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, LiteralString, NamedTuple, cast

from neo4j import ManagedTransaction

from credit.core.store import (
    EDITABLE_SOURCES,
    GENESIS,
    OPTIONAL_LABELS,
    SHARED_TYPES,
    Applied,
    Changed,
    ChangeHook,
    Conflict,
    GraphStore,
)
from credit.formats import READERS, Conversion, leave_known_organizations, stream_records
from credit.intake.mapping import GraphWrite, Mapper, org_uid, person_uid
from credit.intake.pipeline import (
    _RANK,
    Intake,
    IntakeError,
    IntakeReport,
    _is_rejection,
    _Staged,
    validate_record,
)
from credit.intake.spill import KEEP, SpillCounter, SpillMap, connect
from credit.sync.feed import PUBLISHED_TYPES, record_event

Log = Callable[[str], object]
ARRAY_DELIMITER = "\x1f"  # the unit separator: never in our values (checked when written)
SUBJECT_EDGES = frozenset({"AGAINST", "LISTS"})  # FEED_RECORD_STATE's subject relationships
SUBJECT_KEYS = ("uid", "name", "uscc", "id_masked")
UID = frozenset({"uid"})
PREPARE_CHUNK = 2000  # records a worker validates and maps per task
# Only a shared entity (an organisation, a person) takes contributions, and a contribution's
# relationships start at it: the relationship pairs counted for them are those starting there.
SHARED_STARTS = tuple(uid.partition(":")[0] + ":" for uid in (org_uid("x"), person_uid("x")))
SPOOL_ROWS = 10_000  # rows pickled together into a spool file


class BulkRefused(RuntimeError):
    """The target cannot take a bulk load (it holds data)."""


class Rel:
    """One relationship: its type, end points' uids and properties. A record's relationship
    (CREATE_EDGES) keeps the mapper's properties, the record's provenance and its uid apart,
    shared with the record's other relationships, and joins them only when written out."""

    __slots__ = ("end", "owner", "props", "prov", "start", "type")

    def __init__(
        self,
        type_: str,
        start: str,
        end: str,
        props: dict[str, Any],
        prov: dict[str, Any] | None = None,
        owner: str | None = None,
    ) -> None:
        self.type, self.start, self.end, self.props = type_, start, end, props
        self.prov, self.owner = prov, owner

    def source(self) -> Any:
        if self.prov is not None and self.prov.get("source") is not None:
            return self.prov["source"]
        return self.props.get("source")


def rel_properties(rel: Rel, received_at: datetime) -> dict[str, Any]:
    """A relationship's stored properties (CREATE_EDGES' `SET x = row.props, x.received_at`)."""
    if rel.owner is None:
        return rel.props
    assert rel.prov is not None
    props = _present({**rel.props, **rel.prov, "owner": rel.owner})
    props["received_at"] = received_at
    return props


class Node:
    __slots__ = ("labels", "props")

    def __init__(self, labels: set[str], props: dict[str, Any]) -> None:
        self.labels, self.props = labels, props


# How the staging file stores them: plain tuples, which pickle several times faster.
def _node_out(node: Node) -> tuple[Any, ...]:
    return tuple(node.labels), node.props


def _node_in(stored: tuple[Any, ...]) -> Node:
    return Node(set(stored[0]), stored[1])


def _rel_out(rel: Rel) -> tuple[Any, ...]:
    return rel.type, rel.start, rel.end, rel.props, rel.prov, rel.owner


def _rel_in(stored: tuple[Any, ...]) -> Rel:
    return Rel(*stored)


def _rels_out(rels: list[Rel]) -> list[tuple[Any, ...]]:
    return [_rel_out(rel) for rel in rels]


def _rels_in(stored: list[tuple[Any, ...]]) -> list[Rel]:
    return [Rel(*one) for one in stored]


def _joined(*parts: str) -> str:
    return "\x1f".join(parts)


def _merge(target: dict[str, Any], values: dict[str, Any]) -> None:
    """Cypher's `SET x += values`: a null removes the property."""
    for key, value in values.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """Cypher's `SET x = map` / `ON CREATE SET x += map`: nulls are not stored."""
    return {k: v for k, v in props.items() if v is not None}


def _lifecycle(props: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        "" if props.get(k) is None else str(props[k])
        for k in ("status", "retracted_on", "suspended_on", "suspension_lifted_on")
    )


def _owner(props: dict[str, Any]) -> Any:
    """coalesce(x.owner_source, x.source)."""
    return props["owner_source"] if "owner_source" in props else props.get("source")


def _passes(stored: dict[str, Any], content_hash: str, prov: dict[str, Any]) -> bool:
    """The write condition of UPSERT_NODES / UPSERT_EDGE_RECORDS for a record that exists:
    changed content, not an older version (the same version only from our own sources)."""
    version = stored.get("version")
    return stored.get("content_hash") != content_hash and (
        (version or 0) < prov["version"]
        or (
            version is not None
            and version == prov["version"]
            and prov["source"] in EDITABLE_SOURCES
        )
    )


def _cypher_string(value: Any) -> str:
    """Cypher's toString() of a stored value (for a ConflictingValue)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def content_hash(write: GraphWrite) -> str:
    return write.content_hash  # a GraphWrite computes it; a worker's _Write carries it


class StagingGraph(GraphStore):
    """The intake's store for a bulk load: the graph the online intake would commit, staged
    in a SQLite file of the load's work folder through bounded caches (credit/intake/spill.py),
    so memory stays flat whatever the input's size (the target database is empty, so nothing
    outside it exists). Batches arrive from the intake's writer thread one at a time, in order,
    as they would be committed; each batch's entries are written back when it ends.

    Each statement of GraphStore.apply is mirrored in two phases, as Neo4j runs it: what a row
    reads before the statement's writes (its match, `created`, owner, previous state; the
    planner puts an eager barrier before the writes) is read for every row first, then the rows
    write in order. A record twice in one batch therefore behaves as it does online."""

    keep = KEEP  # entries each map keeps cached across batches

    def __init__(self, folder: Path, received_at: datetime | None = None) -> None:
        self.database = ""  # no driver: no database
        self.received_at = received_at or datetime.now(UTC)
        folder.mkdir(parents=True, exist_ok=True)
        self.db = db = connect(folder / "staging.sqlite")
        keep = self.keep
        self.entities: SpillMap[Node] = SpillMap(db, "entities", _node_out, _node_in, keep)
        # `owner` uid -> the relationships it created
        self.owned: SpillMap[list[Rel]] = SpillMap(db, "owned", _rels_out, _rels_in, keep)
        # ties and reviews, by _joined(type, start, end, uid)
        self.edge_records: SpillMap[Rel] = SpillMap(db, "edge_records", _rel_out, _rel_in, keep)
        # (type, start, end) of the relationships starting at a shared entity (SHARED_STARTS)
        self.pairs = SpillCounter(db, "pairs", keep=keep)
        self.conflicting: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.changes: list[dict[str, Any]] = []
        self.lock = threading.Lock()  # the intake's writer thread and its caller take turns

    def close(self) -> None:
        self.db.close()

    def _flush(self) -> None:
        for table in (self.entities, self.owned, self.edge_records, self.pairs):
            table.flush()

    def _count_pair(self, type_: str, start: str, end: str, by: int) -> None:
        if start.startswith(SHARED_STARTS):
            key = _joined(type_, start, end)
            self.pairs[key] += by

    def _pair_exists(self, rel: Rel) -> bool:
        if not rel.start.startswith(SHARED_STARTS):
            raise AssertionError(f"a contribution's relationship starts at {rel.start}")
        return self.pairs[_joined(rel.type, rel.start, rel.end)] > 0

    def read(self, cypher: LiteralString, **params: Any) -> list[Any]:
        raise RuntimeError("a bulk load's graph is in memory: nothing to query")

    write = read

    def existing_uids(self, uids: Iterable[str]) -> set[str]:
        with self.lock:
            return {uid for uid in uids if uid in self.entities}

    def count_entities(self) -> int:
        with self.lock:
            return len(self.entities)

    def transaction(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        raise RuntimeError("a bulk load's graph is in memory: no transactions")

    def relationships(self) -> Iterator[Rel]:
        """Every relationship, streamed from the staging file."""
        yield from self.edge_records.values()
        for rels in self.owned.values():
            yield from rels

    # -- GraphStore.apply, statement by statement ------------------------------------------

    def apply(self, writes: Sequence[GraphWrite], on_changed: ChangeHook | None = None) -> Applied:
        applied = Applied()
        by_uid = {w.uid: w for w in writes}
        with self.lock:
            self._upsert_hubs(writes)
            details, contributions = self._upsert_nodes(writes, by_uid, applied)
            self._upsert_edge_records(writes, applied)
            self._create_edges(sorted(applied.changed), by_uid)
            if contributions:
                self._contribute_all(contributions, by_uid, applied)
            if on_changed is not None and details:
                self._publish(details)
            self._flush()
        return applied

    def _upsert_hubs(self, writes: Sequence[GraphWrite]) -> None:
        """UPSERT_HUBS: the first description of a hub in the batch creates it, once."""
        seen: set[str] = set()
        for w in writes:
            for hub in w.hubs:
                if hub.uid in seen:
                    continue
                seen.add(hub.uid)
                if hub.uid not in self.entities:
                    props = {
                        **hub.props,
                        "uid": hub.uid,
                        "owner_source": w.provenance.get("source"),
                    }
                    self.entities[hub.uid] = Node(
                        {"Entity", *hub.labels}, _present(props) | {"received_at": self.received_at}
                    )

    def _upsert_nodes(
        self, writes: Sequence[GraphWrite], by_uid: dict[str, GraphWrite], applied: Applied
    ) -> tuple[list[Changed], list[GraphWrite]]:
        """UPSERT_NODES, then apply()'s reading of its rows: refused, contributed, changed."""
        now = self.received_at
        rows = [w for w in writes if w.node is not None]
        last = {w.uid: w for w in rows}  # apply()'s `rows` by uid: the last row of a uid
        before = []
        for w in rows:
            node = self.entities.get(w.uid)
            if node is None:
                node = self.entities[w.uid] = Node({"Entity"}, {"uid": w.uid})
            p = node.props
            created, owner = "content_hash" not in p, _owner(p)
            foreign = None if created or owner is None or owner == w.provenance["source"] else owner
            previous = {k: p.get(k) for k in ("status", "retracted_on", "version")}
            before.append((w, node, created, foreign, previous, _lifecycle(p)))
        details: list[Changed] = []
        contributions: list[GraphWrite] = []
        for w, node, created, foreign, previous, lifecycle in before:
            assert w.node is not None
            p, prov, digest = node.props, w.provenance, content_hash(w)
            wrote = foreign is None and (created or _passes(p, digest, prov))
            if wrote:
                kept = list(p.get("contributed_roles") or [])
                if "first_received_at" not in p:
                    p["first_received_at"] = p.get("received_at", now)
                _merge(p, w.node.props)
                _merge(p, prov)
                p["content_hash"], p["received_at"] = digest, now
                if "owner_source" not in p and prov.get("source") is not None:
                    p["owner_source"] = prov["source"]
                roles = w.node.props.get("roles")
                if roles is not None:
                    p["roles"] = [*roles, *(r for r in kept if r not in roles)]
                node.labels.update(w.node.labels)
                node.labels.difference_update(
                    label
                    for label in OPTIONAL_LABELS - set(w.node.labels)
                    if label.upper() not in kept
                )
                if all(p.get(k) is None for k in ("status", "retracted_on", "suspended_on")):
                    p.pop("status_recorded_at", None)
                elif created or lifecycle != _lifecycle(p):
                    p["status_recorded_at"] = now
                self._delete_owned(w.uid, prov.get("source"))
            record_type = by_uid[w.uid].provenance["record_type"]
            if foreign is not None:
                if record_type in SHARED_TYPES:
                    contributions.append(last[w.uid])
                else:
                    applied.refused[w.uid] = foreign
            elif wrote:
                applied.changed.add(w.uid)
                details.append(Changed(w.uid, record_type, created, previous))
        return details, contributions

    def _delete_owned(self, uid: str, source: Any) -> None:
        """The owner's relationships of `uid` that touch it, from its own source, go (those
        another source contributed stay; so does one the record owns between two others)."""
        rels = self.owned.get(uid)
        if not rels:
            return
        kept = []
        for rel in rels:
            mine = rel.source() is None or rel.source() == source
            if (rel.start == uid or rel.end == uid) and mine:
                self._count_pair(rel.type, rel.start, rel.end, -1)
            else:
                kept.append(rel)
        if kept:
            self.owned[uid] = kept
        else:
            del self.owned[uid]

    def _upsert_edge_records(self, writes: Sequence[GraphWrite], applied: Applied) -> None:
        """UPSERT_EDGE_RECORDS: ties and reviews, owned like nodes; both ends must exist."""
        before = []
        for w in writes:
            e = w.edge_record
            if e is None or e.start not in self.entities or e.end not in self.entities:
                continue
            key = _joined(e.type, e.start, e.end, w.uid)
            rel = self.edge_records.get(key)
            if rel is None:
                rel = self.edge_records[key] = Rel(e.type, e.start, e.end, {"uid": w.uid})
                self._count_pair(e.type, e.start, e.end, 1)
            created, owner = "content_hash" not in rel.props, _owner(rel.props)
            foreign = None if created or owner is None or owner == w.provenance["source"] else owner
            before.append((w, rel, created, foreign))
        for w, rel, created, foreign in before:
            assert w.edge_record is not None
            p, prov, digest = rel.props, w.provenance, content_hash(w)
            if foreign is not None:
                applied.refused[w.uid] = foreign
            elif created or _passes(p, digest, prov):
                _merge(p, w.edge_record.props)
                _merge(p, prov)
                p["content_hash"], p["received_at"] = digest, self.received_at
                if "owner_source" not in p and prov.get("source") is not None:
                    p["owner_source"] = prov["source"]
                applied.changed.add(w.uid)

    def _edges_of(self, uids: Iterable[str], by_uid: dict[str, GraphWrite]) -> list[Rel]:
        """apply()'s edges_of: each record's relationships, carrying its provenance and uid."""
        return [
            Rel(e.type, e.start, e.end, e.props, by_uid[uid].provenance, uid)
            for uid in uids
            for e in by_uid[uid].edges
        ]

    def properties(self, rel: Rel) -> dict[str, Any]:
        return rel_properties(rel, self.received_at)

    def _add(self, rel: Rel) -> None:
        assert rel.owner is not None
        self.owned.setdefault(rel.owner, []).append(rel)
        self._count_pair(rel.type, rel.start, rel.end, 1)

    def _create_edges(self, uids: list[str], by_uid: dict[str, GraphWrite]) -> None:
        """CREATE_EDGES: where both ends exist."""
        for rel in self._edges_of(uids, by_uid):
            if rel.start in self.entities and rel.end in self.entities:
                self._add(rel)

    def _contribute_all(
        self, rows: list[GraphWrite], by_uid: dict[str, GraphWrite], applied: Applied
    ) -> None:
        """CONTRIBUTE_NODES and CONTRIBUTE_EDGES: another source's record of a shared entity
        fills what is missing, grows lists and labels, and sets conflicting values aside."""
        before = []
        for w in rows:
            assert w.node is not None
            node = self.entities[w.uid]
            p, owner, source = node.props, _owner(node.props), w.provenance["source"]
            if owner == source or owner is None:
                continue
            props = {**w.node.props, "uid": w.uid}
            given = {k: v for k, v in props.items() if v is not None}
            filled = [k for k in given if p.get(k) is None]
            grown = [
                k
                for k, v in given.items()
                if isinstance(p.get(k), list) and any(x not in p[k] for x in v)
            ]
            conflicts = [
                Conflict(k, owner, _cypher_string(p[k]), _cypher_string(v))
                for k, v in sorted(given.items())
                if p.get(k) is not None and not isinstance(p[k], list) and p[k] != v
            ]
            labelled = [label for label in w.node.labels if label not in node.labels]
            roles = p.get("roles") or []
            new_roles = [x for x in (props.get("roles") or []) if x not in roles]
            before.append((w, node, given, filled, grown, conflicts, labelled, new_roles))
        for w, node, given, filled, grown, conflicts, labelled, new_roles in before:
            p, prov = node.props, w.provenance
            for k in filled:
                p[k] = given[k]
            for k in grown:
                p[k] = [*p[k], *(x for x in given[k] if x not in p[k])]
            if new_roles:
                p["contributed_roles"] = [*(p.get("contributed_roles") or []), *new_roles]
            node.labels.update(labelled)
            for c in conflicts:
                key = (w.uid, c.field, prov["source"], c.value)
                if key not in self.conflicting:
                    self.conflicting[key] = _present(
                        {
                            "record": w.uid,
                            "field": c.field,
                            "source": prov["source"],
                            "value": c.value,
                            "owner_source": c.owner,
                            "owner_value": c.owner_value,
                            "external_id": prov.get("external_id"),
                            "version": prov.get("version"),
                            "received_at": self.received_at,
                        }
                    )
            if filled or grown or labelled:
                applied.changed.add(w.uid)
            if conflicts:
                applied.conflicts[w.uid] = conflicts
        creatable = [
            rel
            for rel in self._edges_of([w.uid for w in rows], by_uid)
            if rel.start in self.entities
            and rel.end in self.entities
            and not self._pair_exists(rel)
        ]
        for rel in creatable:
            self._add(rel)
            applied.changed.add(str(rel.owner))

    def _publish(self, details: list[Changed]) -> None:
        """The events FEED_RECORD_STATE + record_event give inside the online transaction.
        A published record's subject relationships (AGAINST, LISTS) are its own (it has two
        when two sources' first versions met in one batch)."""
        relevant = {c.uid: c for c in details if c.record_type in PUBLISHED_TYPES}
        at = datetime.now(UTC)
        for uid in sorted(relevant):
            record = dict(self.entities[uid].props)
            # newest first, the order in which Neo4j walks a node's relationships
            subjects: Sequence[str | None] = [
                r.end
                for r in reversed(self.owned.get(uid, ()))
                if r.type in SUBJECT_EDGES and r.start == uid
            ]
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
                        "payload": json.dumps(event.payload, ensure_ascii=False, sort_keys=True),
                        "at": at,
                    }
                )


# -- validation and mapping in worker processes ----------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A record validated and mapped by a worker: its rank in dependency order and its write."""

    rank: int
    write: GraphWrite


# A write as plain tuples: pickled and unpickled in C, several times faster than dataclasses.
Packed = tuple[Any, ...]


def _pack(write: GraphWrite) -> Packed:
    n, e = write.node, write.edge_record
    return (
        write.uid,
        None if n is None else (n.uid, n.labels, n.props),
        None if e is None else (e.type, e.start, e.end, e.props),
        [(x.type, x.start, x.end, x.props) for x in write.edges],
        [(h.uid, h.labels, h.props) for h in write.hubs],
        write.refs,
        write.provenance,
        write.content_hash,
    )


class _Node(NamedTuple):  # NodeWrite's fields, built several times faster
    uid: str
    labels: tuple[str, ...]
    props: dict[str, Any]


class _Edge(NamedTuple):  # EdgeWrite's fields
    type: str
    start: str
    end: str
    props: dict[str, Any]


class _Write:
    """A GraphWrite rebuilt from a worker's tuples with what the intake and StagingGraph read
    of it, its content hash already computed (a dataclass costs more than validating)."""

    __slots__ = (
        "content_hash",
        "edge_record",
        "edges",
        "hubs",
        "node",
        "provenance",
        "refs",
        "uid",
    )

    def __init__(self, packed: Packed) -> None:
        uid, n, e, edges, hubs, self.refs, self.provenance, self.content_hash = packed
        self.uid = uid
        self.node = None if n is None else _Node(*n)
        self.edge_record = None if e is None else _Edge(*e)
        self.edges = [_Edge(*x) for x in edges]
        self.hubs = [_Node(*x) for x in hubs]


def _unpack(rank: int, packed: Packed) -> Prepared:
    return Prepared(rank, cast(GraphWrite, _Write(packed)))  # read only as a GraphWrite is


_WORKER_MAPPER: Mapper | None = None  # set before the workers fork; each inherits it
Outcome = tuple[int, int, Packed] | tuple[int, list[IntakeError]]


def _prepare(chunk: list[tuple[int, Any]]) -> list[Outcome]:
    """What Intake._stage does to each record (allowed_source aside: a bulk load has none)."""
    assert _WORKER_MAPPER is not None
    out: list[Outcome] = []
    for line, raw in chunk:
        parsed = raw if _is_rejection(raw) else validate_record(line, raw)
        if isinstance(parsed, list):
            out.append((line, parsed))
        else:
            out.append((line, _RANK[parsed.type], _pack(_WORKER_MAPPER.map(parsed))))
    return out


class PreparedIntake(Intake):
    """The intake over records already validated and mapped (in input order) by workers, into
    a StagingGraph, which one writer fills (the result is the same for any number)."""

    def __init__(self, store: GraphStore, mapper: Mapper, batch_size: int) -> None:
        super().__init__(store, mapper, batch_size, writers=1)

    def _prepare(self, line: int, raw: Any, allowed_source: str | None) -> _Staged | list[Any]:
        assert allowed_source is None, "a bulk load takes records of every source"
        return raw if isinstance(raw, list) else _Staged(line, raw.rank, raw.write)


def prepared(
    items: Iterable[tuple[int, Any]], pool: Any, window: int
) -> Iterator[tuple[int, Prepared | list[IntakeError]]]:
    """The items validated and mapped by `pool`, in input order, at most `window` chunks
    ahead of the consumer (so the input's writes are never all in memory at once)."""
    stream = iter(items)
    pending: deque[Any] = deque()
    while True:
        while len(pending) < window and (chunk := list(islice(stream, PREPARE_CHUNK))):
            pending.append(pool.apply_async(_prepare, (chunk,)))
        if not pending:
            return
        for outcome in pending.popleft().get():
            if len(outcome) == 2:
                yield outcome
            else:
                line, rank, packed = outcome
                yield line, _unpack(rank, packed)


# -- the importer's CSV files ----------------------------------------------------------------

_CSV_TYPES: dict[type, str] = {
    bool: "boolean",
    int: "long",
    float: "double",
    str: "string",
    date: "date",
    list: "string[]",
}


def csv_type(value: Any) -> str:
    """The importer's type of a property value, as the driver would have stored it."""
    kind = type(value)
    if kind is datetime:
        return "datetime" if value.tzinfo is not None else "localdatetime"
    found = _CSV_TYPES.get(kind)
    if found is None and isinstance(value, str):
        found = "string"  # an enumeration's value
    if found is None or (kind is list and not all(isinstance(v, str) for v in value)):
        raise TypeError(f"no importer type for {kind.__name__} value {value!r}")
    return found


def _checked(text: str) -> str:
    if ARRAY_DELIMITER in text:
        raise ValueError(f"a value holds the importer's array delimiter U+001F: {text[:40]!r}")
    return text


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _quoted(value)
    if kind is int or kind is float:
        return repr(value)
    if kind is list:
        return _quoted(ARRAY_DELIMITER.join(_checked(v) for v in value))
    if kind is date or kind is datetime:
        return str(value.isoformat())
    return _quoted(str(value))


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


Row = tuple[dict[str, Any], str]  # properties, then the leading id/label/type columns


class _Spool:
    """One group's rows, pickled SPOOL_ROWS at a time into a file of the work folder: the
    staging file is read once, and each group's writer reads its spool twice (its columns'
    types, then its lines) without the graph in memory."""

    def __init__(self, path: Path) -> None:
        self.path, self.count = path, 0
        self._handle = path.open("wb")
        self._rows: list[Row] = []

    def add(self, row: Row) -> None:
        self._rows.append(row)
        if len(self._rows) == SPOOL_ROWS:
            self._dump()

    def _dump(self) -> None:
        pickle.dump(self._rows, self._handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += len(self._rows)
        self._rows = []

    def close(self) -> None:
        if self._rows:
            self._dump()
        self._handle.close()


def _spooled(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        while True:
            try:
                rows: list[Row] = pickle.load(handle)  # noqa: S301 (our own spool)
            except EOFError:
                return
            yield from rows


@dataclass(frozen=True)
class _Group:
    name: str
    leading: tuple[str, ...]
    spool: Path
    count: int
    relationship: bool
    skip: frozenset[str] = frozenset()  # a property already written as the id column


def _write_group(folder: Path, group: _Group) -> tuple[list[Path], bool]:
    """One label set's (or relationship type's) rows; a property with two types splits them
    into one file per combination, since a header gives each column one type."""
    types: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, set[type]] = defaultdict(set)
    for props, _ in _spooled(group.spool):
        for key, value in props.items():
            if key in group.skip:
                continue
            if type(value) not in seen[key]:
                seen[key].add(type(value))
                types[key].add(csv_type(value))
    split = sorted(k for k, t in types.items() if len(t) > 1)
    files: dict[tuple[str, ...], tuple[Any, list[str], list[str]]] = {}
    multiline = False

    def emit(handle: Any, lines: list[str]) -> None:
        nonlocal multiline
        text = "\n".join(lines) + "\n"
        multiline = multiline or "\r" in text or text.count("\n") != len(lines)
        handle.write(text)
        lines.clear()

    try:
        for props, columns in _spooled(group.spool):
            signature = tuple(csv_type(props[k]) if k in props else "" for k in split)
            if signature not in files:
                chosen = dict(zip(split, signature, strict=True))
                keys = sorted(k for k in types if k not in chosen or chosen[k])
                header = [*group.leading] + [
                    f"{k}:{chosen.get(k) or next(iter(types[k]))}" for k in keys
                ]
                path = folder / f"{group.name}-{len(files)}.csv"
                handle = path.open("w", encoding="utf-8", newline="")
                handle.write(",".join(header) + "\n")
                files[signature] = (handle, keys, [])
            handle, keys, lines = files[signature]
            get = props.get
            values = [_text(v) if (v := get(k)) is not None else "" for k in keys]
            lines.append(columns + "," + ",".join(values))
            if len(lines) == 10_000:
                emit(handle, lines)
    finally:
        for handle, _, lines in files.values():
            if lines:
                emit(handle, lines)
            handle.close()
    group.spool.unlink()
    return [folder / f"{group.name}-{i}.csv" for i in range(len(files))], multiline


def _write_task(args: tuple[Path, _Group]) -> tuple[str, list[Path], bool]:
    paths, multiline = _write_group(*args)
    return args[1].name, paths, multiline


def _spool_groups(graph: StagingGraph, folder: Path) -> list[_Group]:
    """Read the staging file once, each row into its group's spool: nodes by label set,
    relationships by type, the conflicting values and the feed's changes."""
    spools: dict[str, tuple[_Spool, tuple[str, ...], bool, frozenset[str]]] = {}
    spool_dir = folder / "spool"
    spool_dir.mkdir(parents=True, exist_ok=True)

    def spool(
        name: str, leading: tuple[str, ...], relationship: bool, skip: frozenset[str]
    ) -> _Spool:
        if name not in spools:
            spools[name] = (_Spool(spool_dir / name), leading, relationship, skip)
        return spools[name][0]

    node_leading = ("uid:ID(Entity)", ":LABEL")
    for uid, node in graph.entities.items():
        labels = tuple(sorted(node.labels))
        spool("n-" + "_".join(labels), node_leading, False, UID).add(
            (node.props, _quoted(uid) + "," + _quoted(ARRAY_DELIMITER.join(labels)))
        )
    for i, props in enumerate(graph.conflicting.values()):
        leading = (":ID(ConflictingValue)", ":LABEL")
        spool("n-ConflictingValue", leading, False, frozenset()).add(
            (props, f'"cv{i}","ConflictingValue"')
        )
    for c in graph.changes:
        spool("n-Change", ("id:ID(Change)", ":LABEL"), False, frozenset()).add(
            ({k: v for k, v in c.items() if k != "id"}, _quoted(c["id"]) + ',"Change"')
        )
    rel_leading = (":START_ID(Entity)", ":END_ID(Entity)", ":TYPE")
    for rel in graph.relationships():
        spool(f"r-{rel.type}", rel_leading, True, frozenset()).add(
            (
                rel_properties(rel, graph.received_at),
                f"{_quoted(rel.start)},{_quoted(rel.end)},{_quoted(rel.type)}",
            )
        )
    groups = []
    for name, (one, columns, relationship, skip) in sorted(spools.items()):
        one.close()
        groups.append(_Group(name, columns, one.path, one.count, relationship, skip))
    return groups


def write_csv(graph: StagingGraph, folder: Path, workers: int = 1) -> CsvFiles:
    """The graph as the importer's node files (per label set) and relationship files (per
    type), with the feed's Change nodes, the conflicting values and the feed and audit heads;
    the files are written by `workers` processes, the largest first."""
    folder.mkdir(parents=True, exist_ok=True)
    out = CsvFiles()
    groups = _spool_groups(graph, folder)
    tasks = [(folder, g) for g in sorted(groups, key=lambda g: -g.count)]
    written: dict[str, list[Path]] = {}
    if workers > 1 and len(groups) > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for name, paths, multiline in pool.imap_unordered(_write_task, tasks):
                written[name] = paths
                out.multiline = out.multiline or multiline
    else:
        for task in tasks:
            name, written[name], multiline = _write_task(task)
            out.multiline = out.multiline or multiline
    for group in groups:
        (out.relationships if group.relationship else out.nodes).extend(written[group.name])
        out.counts[group.name] = group.count
    heads = folder / "n-heads.csv"
    heads.write_text(
        ":ID(Head),:LABEL,id:long,seq:long,hash:string\n"
        f'feed,"FeedHead",1,{len(graph.changes)},\n'
        f'audit,"AuditHead",1,0,"{GENESIS}"\n',
        encoding="utf-8",
    )
    out.nodes.append(heads)
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
    # CPU time of this process and its finished children (workers, neo4j-admin) per step: what
    # the steps cost whatever else the machine runs
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[IntakeError]:
        return [e for f in self.files for e in f.report.errors]

    @property
    def exit_code(self) -> int:
        bad = any(f.report.errors or f.conversion_errors for f in self.files)
        return 1 if bad else 0


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The graph is millions of long-lived objects without cycles: the cyclic collector would
    walk them again and again (it took half the main process's time), so it pauses while the
    graph is built and written; workers collect as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def stage(
    paths: Sequence[Path],
    fmt: str,
    source: str | None,
    mapper: Mapper,
    batch_size: int,
    folder: Path,
    progress: Callable[[int], object] | None = None,
    workers: int = 1,
) -> tuple[StagingGraph, BulkResult]:
    """Validate and map every file (in `workers` processes) through the intake into a graph
    staged in `folder`. Our own format is read as it is consumed, so no input is ever whole
    in memory; OCDS and BODS are converted a file at a time, as `credit ingest` does."""
    global _WORKER_MAPPER
    graph = StagingGraph(folder)
    result = BulkResult()
    _WORKER_MAPPER = mapper
    try:
        with multiprocessing.get_context("fork").Pool(workers, gc.enable) as pool:
            intake = PreparedIntake(graph, mapper, batch_size)
            for path in paths:
                if fmt == "jsonl":
                    conversion, stream = Conversion(), stream_records(path, source)
                else:
                    conversion = READERS[fmt](path, source)
                    leave_known_organizations(conversion, graph.existing_uids)
                    stream = iter(conversion.items)
                items = prepared(stream, pool, window=4 * workers)
                report = intake.run(items, progress=progress)
                lines = conversion.report.lines() if conversion.report is not None else []
                errors = bool(conversion.report is not None and conversion.report.errors)
                result.files.append(FileReport(path, report, conversion.origins, lines, errors))
                result.records += report.received
    finally:
        _WORKER_MAPPER = None
    result.nodes = len(graph.entities) + len(graph.conflicting)
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
    workers: int = 1,
) -> BulkResult:
    """Refuse a target with data; stage, write the CSV files, then `run_import` (stops the
    instance, imports, starts it and migrates, and says how long each step took)."""
    problem = target_problem(store)
    if problem is not None:
        raise BulkRefused(problem)
    started, cpu = time.perf_counter(), _cpu()
    with _no_cycle_collection():
        staging = work_dir / "staging"
        graph, result = stage(paths, fmt, source, mapper, batch_size, staging, progress, workers)
    result.seconds["validate_and_map"] = time.perf_counter() - started
    result.cpu_seconds["validate_and_map"], cpu = _cpu() - cpu, _cpu()
    mark = time.perf_counter()
    with _no_cycle_collection():
        files = write_csv(graph, work_dir, workers)
        graph.close()
        shutil.rmtree(staging)  # its space goes back before the importer needs its own
    result.relationships = sum(n for name, n in files.counts.items() if name.startswith("r-"))
    result.seconds["write_csv"] = time.perf_counter() - mark
    result.cpu_seconds["write_csv"], cpu = _cpu() - cpu, _cpu()
    mark = time.perf_counter()
    log(
        f"importing {result.nodes} nodes, {result.relationships} relationships and "
        f"{result.changes} feed changes with neo4j-admin database import full"
    )
    result.seconds |= run_import(files)
    result.seconds["import_and_migrate"] = time.perf_counter() - mark
    result.cpu_seconds["import"] = _cpu() - cpu  # neo4j-admin's JVM, a child process
    result.seconds["total"] = time.perf_counter() - started
    return result
