"""The graph-store layer: the only code that talks to Neo4j for intake and lookups.

Writes go through managed write transactions, reads through managed read transactions (routed
to readers on a cluster). Every statement comes from graph.queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, LiteralString, TypeVar

from neo4j import Driver, ManagedTransaction

from credit.intake.mapping import GraphWrite
from graph import queries as q

T = TypeVar("T")
OPTIONAL_LABELS = frozenset({"Supplier", "Agency", "Purchaser", "Expert"})
# Our own sources may correct a record in place; other systems' records change only with a
# higher version, so their intake is idempotent on (source, external id, version).
EDITABLE_SOURCES = ("local", "demo", "bench")
GENESIS = "0" * 64


@dataclass(frozen=True)
class Changed:
    """A record whose content changed in a write, with what it was before."""

    uid: str
    record_type: str
    created: bool
    previous: dict[str, Any]


ChangeHook = Callable[[ManagedTransaction, list[Changed]], None]


@dataclass(frozen=True)
class StoredNode:
    uid: str
    labels: tuple[str, ...]
    props: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.uid.split(":", 1)[0]


@dataclass(frozen=True)
class StoredEdge:
    id: str
    type: str
    start: str
    end: str
    props: dict[str, Any]


def native_value(value: Any) -> Any:
    """A Neo4j temporal value as a Python one (anything else as it is)."""
    return value.to_native() if hasattr(value, "to_native") else value


def native(props: Any) -> dict[str, Any]:
    """Neo4j temporal values as Python ones, so nothing above the store sees driver types."""
    return {k: native_value(v) for k, v in dict(props).items()}


def day_of(value: Any) -> date | None:
    """A date from a driver value or from ISO text (a date, or a date-time read in its own
    offset: a bid deadline is a day where the lot is); None for none."""
    value = native_value(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _node(row: Any) -> StoredNode:
    labels = tuple(sorted(label for label in row["labels"] if label != "Entity"))
    return StoredNode(uid=row["props"]["uid"], labels=labels, props=native(row["props"]))


class GraphStore:
    def __init__(self, driver: Driver, database: str) -> None:
        self.driver = driver
        self.database = database

    # -- generic execution ---------------------------------------------------------------

    def read(self, cypher: LiteralString, **params: Any) -> list[Any]:
        def work(tx: ManagedTransaction) -> list[Any]:
            return list(tx.run(cypher, params))

        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def write(self, cypher: LiteralString, **params: Any) -> list[Any]:
        def work(tx: ManagedTransaction) -> list[Any]:
            return list(tx.run(cypher, params))

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    # -- intake --------------------------------------------------------------------------

    def existing_uids(self, uids: Iterable[str]) -> set[str]:
        wanted = sorted(set(uids))
        found: set[str] = set()
        for i in range(0, len(wanted), 5000):
            rows = self.read(q.EXISTING_UIDS, uids=wanted[i : i + 5000])
            found.update(row["uid"] for row in rows)
        return found

    def transaction(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one managed write transaction (retried on transient errors)."""
        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def apply(self, writes: Sequence[GraphWrite], on_changed: ChangeHook | None = None) -> set[str]:
        """Upsert a batch in one transaction; return the uids whose content changed.

        `on_changed` runs inside the same transaction, so whatever it writes (the change feed)
        commits or rolls back together with the change itself."""
        hubs: dict[str, dict[str, Any]] = {}
        nodes, edge_records = [], []
        for w in writes:
            for hub in w.hubs:
                hubs[hub.uid] = {
                    "uid": hub.uid,
                    "labels": list(hub.labels),
                    "props": {**hub.props, "uid": hub.uid},
                }
            if w.node is not None:
                nodes.append(
                    {
                        "uid": w.uid,
                        "labels": list(w.node.labels),
                        "drop_labels": sorted(OPTIONAL_LABELS - set(w.node.labels)),
                        "props": {**w.node.props, "uid": w.uid},
                        "prov": w.provenance,
                        "hash": w.content_hash,
                    }
                )
            if w.edge_record is not None:
                e = w.edge_record
                edge_records.append(
                    {
                        "uid": w.uid,
                        "type": e.type,
                        "start": e.start,
                        "end": e.end,
                        "props": e.props,
                        "prov": w.provenance,
                        "hash": w.content_hash,
                    }
                )
        by_uid = {w.uid: w for w in writes}

        def work(tx: ManagedTransaction) -> set[str]:
            changed: set[str] = set()
            details: list[Changed] = []
            if hubs:
                tx.run(q.UPSERT_HUBS, rows=list(hubs.values())).consume()
            if nodes:
                for r in tx.run(q.UPSERT_NODES, rows=nodes, editable=EDITABLE_SOURCES):
                    changed.add(r["uid"])
                    details.append(
                        Changed(
                            r["uid"],
                            by_uid[r["uid"]].provenance["record_type"],
                            bool(r["created"]),
                            native(r["previous"]),
                        )
                    )
            if edge_records:
                result = tx.run(q.UPSERT_EDGE_RECORDS, rows=edge_records, editable=EDITABLE_SOURCES)
                changed.update(r["uid"] for r in result)
            edges = [
                {
                    "type": e.type,
                    "start": e.start,
                    "end": e.end,
                    "props": {**e.props, **by_uid[uid].provenance, "owner": uid},
                }
                for uid in changed
                for e in by_uid[uid].edges
            ]
            if edges:
                tx.run(q.CREATE_EDGES, rows=edges).consume()
            if on_changed is not None and details:
                on_changed(tx, details)
            return changed

        return self.transaction(work)

    # -- lookups -------------------------------------------------------------------------

    def node(self, uid: str) -> StoredNode | None:
        rows = self.read(q.NODE_BY_UID, uid=uid)
        return _node(rows[0]) if rows else None

    def nodes(self, uids: Sequence[str]) -> dict[str, StoredNode]:
        rows = self.read(q.NODES_BY_UID, uids=list(uids))
        return {n.uid: n for n in map(_node, rows)}

    def unit_lots(
        self, purchaser: str | None, agency: str | None, now: Any, skip: int, limit: int
    ) -> list[StoredNode]:
        """Lots of projects bought by `purchaser` or run by `agency` (org uids)."""
        rows = self.read(
            q.UNIT_LOTS, purchaser=purchaser, agency=agency, now=now, skip=skip, limit=limit
        )
        return [_node(r) for r in rows]

    def page(self, prefix: str, label: str | None, after: str, limit: int) -> list[StoredNode]:
        rows = self.read(q.NODES_PAGE, prefix=prefix, label=label, after=after, limit=limit)
        return [_node(r) for r in rows]

    def neighbours(
        self, uids: Sequence[str], rel_type: str, outgoing: bool
    ) -> dict[str, list[StoredNode]]:
        cypher = q.OUT_NEIGHBOURS if outgoing else q.IN_NEIGHBOURS
        grouped: dict[str, list[StoredNode]] = defaultdict(list)
        for row in self.read(cypher, uids=list(uids), type=rel_type):
            grouped[row["parent"]].append(_node(row))
        return grouped

    def violations(
        self, subject: str | None, status: str | None, after: str, limit: int
    ) -> list[StoredNode]:
        rows = self.read(
            q.VIOLATIONS_PAGE, subject=subject, status=status, after=after, limit=limit
        )
        return [_node(r) for r in rows]

    def search(
        self, lucene_query: str, raw: str, labels: list[str], skip: int, limit: int
    ) -> list[tuple[StoredNode, float]]:
        rows: list[Any] = []
        if lucene_query:
            rows = self.read(
                q.SEARCH_FULLTEXT,
                query=lucene_query,
                labels=labels,
                skip=skip,
                limit=limit,
                window=skip + limit + 500,
            )
        if (not rows and skip == 0) or (not lucene_query):
            rows = self.read(q.SEARCH_CONTAINS, query=raw, labels=labels, skip=skip, limit=limit)
        return [(_node(r), float(r["score"])) for r in rows]

    def expand(
        self, frontier: Sequence[str], types: Sequence[str] | None, limit: int
    ) -> list[tuple[StoredEdge, StoredNode]]:
        rows = self.read(
            q.EXPAND, frontier=list(frontier), types=list(types) if types else None, limit=limit
        )
        return [
            (
                StoredEdge(r["id"], r["type"], r["start"], r["end"], native(r["rprops"])),
                _node(r),
            )
            for r in rows
        ]

    def count_entities(self) -> int:
        return int(self.read(q.COUNT_ENTITIES)[0]["n"])

    def wipe(self) -> None:
        """Delete all data but the migration history and reset the feed and audit heads
        (test isolation on Community edition, which has one database)."""
        while self.write(q.WIPE_BATCH)[0]["deleted"]:
            pass
        self.write(q.RESET_HEADS, genesis=GENESIS)
