"""The graph-store layer: the only code that talks to Neo4j for intake and lookups.

Writes go through managed write transactions, reads through managed read transactions (routed
to readers on a cluster). Every statement comes from graph/<feature>_queries.py.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, LiteralString, TypeVar

from neo4j import Driver, ManagedTransaction, Session, Transaction
from neo4j.exceptions import Neo4jError

from credit.intake.mapping import GraphWrite
from graph import check_queries as check_q
from graph import intake_queries as intake_q
from graph import read_queries as read_q

T = TypeVar("T")
# A transaction work runs in: a managed one, or a request's own open one (RequestTransaction).
Tx = ManagedTransaction | Transaction
OPTIONAL_LABELS = frozenset({"Supplier", "Agency", "Purchaser", "Expert"})
# Our own sources may correct their own records in place; other systems' records change only
# with a higher version, so their intake is idempotent on (source, external id, version).
EDITABLE_SOURCES = ("local", "demo", "bench")
# Records several sources describe: another source adds to them (a role, a phone) but never
# changes a value their owner set. Every other record is its owning source's alone.
SHARED_TYPES = frozenset({"organization", "person"})
GENESIS = "0" * 64


@dataclass(frozen=True)
class Changed:
    """A record whose content changed in a write, with what it was before."""

    uid: str
    record_type: str
    created: bool
    previous: dict[str, Any]


ChangeHook = Callable[[ManagedTransaction, list[Changed]], None]
# Writes the audit event of a write inside the write's own transaction: (tx, uids written,
# uids refused). Set per request (credit.security.audit.AuditScope), so every write a request
# makes carries its event and neither commits without the other.
TransactionAudit = Callable[[ManagedTransaction, Sequence[str], Sequence[str]], None]
WRITE_AUDIT: ContextVar[TransactionAudit | None] = ContextVar("write_audit", default=None)


class RequestTransaction:
    """One request's write transaction, left open after the work done in it so the request's
    audit event, written once the answer is known, commits in it: a check record and the event
    that answers for it commit together or not at all, in one commit (issue 21.5). Set per
    query request (credit.security.audit.AuditLog.scope) as REQUEST_TRANSACTION."""

    RETRIES = 5
    TIMEOUT = 60.0  # seconds; the server ends a transaction its request abandoned

    def __init__(self, driver: Driver, database: str) -> None:
        self.driver, self.database = driver, database
        self._lock = threading.Lock()  # a request's root fields may resolve concurrently
        self._session: Session | None = None
        self._tx: Transaction | None = None

    def run(self, work: Callable[[Tx], T]) -> T:
        """Run `work` in the open transaction (opened here first); a transient failure of the
        first work in it is retried, as a managed transaction would be."""
        with self._lock:
            attempt = 1
            while True:
                fresh = self._tx is None
                if self._tx is None:
                    self._session = self.driver.session(database=self.database)
                    self._tx = self._session.begin_transaction(timeout=self.TIMEOUT)
                try:
                    return work(self._tx)
                except Neo4jError as exc:  # the server ended the transaction: all of it goes
                    self._close()
                    if not (fresh and exc.is_retryable()) or attempt == self.RETRIES:
                        raise
                attempt += 1

    def commit(self, last: Callable[[Tx], None]) -> bool:
        """Run `last` (the audit event) in the open transaction and commit; False when nothing
        was left open (the caller writes the event on its own)."""
        with self._lock:
            if self._tx is None:
                return False
            try:
                last(self._tx)
                self._tx.commit()
            finally:
                self._close()
            return True

    @property
    def open(self) -> bool:
        return self._tx is not None

    def close(self) -> None:
        """Roll back whatever is still open (a request that ended without its event)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        session, self._session, self._tx = self._session, None, None
        if session is not None:
            session.close()


REQUEST_TRANSACTION: ContextVar[RequestTransaction | None] = ContextVar(
    "request_transaction", default=None
)


@dataclass(frozen=True)
class Conflict:
    """A value another source gave for a field the record's owner already set; kept aside."""

    field: str
    owner: str
    owner_value: str
    value: str


@dataclass
class Applied:
    """What one write did: the uids whose content changed, the records refused because another
    source owns them (uid -> owner), and the conflicting values of contributions."""

    changed: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, list[Conflict]] = field(default_factory=dict)


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


def _referenced_first(edge: dict[str, Any]) -> tuple[str, str]:
    """A relationship row's place in lock order: the node its record refers to (a lot, a
    supplier, a contact: what concurrent batches share) before the record's own node."""
    start, end = edge["start"], edge["end"]
    return (end, start) if edge["props"]["owner"] == start else (start, end)


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
        """Run one write statement; inside a request, its audit event commits with it, naming
        the uids (or ids) the statement returned."""

        def work(tx: ManagedTransaction) -> list[Any]:
            return list(tx.run(cypher, params))

        def written(rows: list[Any]) -> list[str]:
            found = []
            for row in rows:
                keys = row.keys()
                value = row["uid"] if "uid" in keys else row["id"] if "id" in keys else None
                if isinstance(value, str):
                    found.append(value)
            return found

        return self._execute_write(work, written)

    # -- intake --------------------------------------------------------------------------

    def existing_uids(self, uids: Iterable[str]) -> set[str]:
        wanted = sorted(set(uids))
        found: set[str] = set()
        for i in range(0, len(wanted), 5000):
            rows = self.read(intake_q.EXISTING_UIDS, uids=wanted[i : i + 5000])
            found.update(row["uid"] for row in rows)
        return found

    def transaction(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one managed write transaction (retried on transient errors); inside a
        request, the request's audit event commits in the same transaction."""
        return self._execute_write(work, lambda _: [])

    def request_transaction(self, work: Callable[[Tx], T]) -> T:
        """`transaction`, but inside a query request the transaction stays open until the
        request's audit event joins it (RequestTransaction); elsewhere committed at once."""
        pending = REQUEST_TRANSACTION.get()
        return pending.run(work) if pending is not None else self.transaction(work)

    def _execute_write(
        self,
        work: Callable[[ManagedTransaction], T],
        written: Callable[[T], Sequence[str]],
        refused: Callable[[T], Sequence[str]] = lambda _: [],
    ) -> T:
        audit = WRITE_AUDIT.get()

        def audited(tx: ManagedTransaction) -> T:
            result = work(tx)
            if audit is not None:
                audit(tx, written(result), refused(result))
            return result

        with self.driver.session(database=self.database) as session:
            return session.execute_write(audited)

    def apply(self, writes: Sequence[GraphWrite], on_changed: ChangeHook | None = None) -> Applied:
        """Upsert a batch in one transaction: what changed, what was refused, what conflicted.

        A record belongs to the source that first wrote it: only that source changes it (the
        check is part of the write statement, so two writers cannot race past it). Another
        source's write to an owned record is refused, except on shared entities, where it adds
        what is missing and sets conflicting values aside for a supervisor.
        `on_changed` runs inside the same transaction, so whatever it writes (the change feed)
        commits or rolls back together with the change itself, as does the audit event.

        Lock order: batches written at once (Intake writers, requests) add relationships to the
        same nodes (an expert's reviews, a lot's bids), and two that lock such nodes in
        opposite orders deadlock and are retried. So the rows whose order changes no result go
        sorted by the nodes they lock: hubs by uid, relationship records by start (the party,
        e.g. the expert, whose relationships pile up) then end, created relationships by the
        node referred to. Sorting is stable, so a record twice in a batch is still written in
        input order (the last wins). Record nodes and contributions keep input order: their
        results reach the change feed in that order, and a contributed relationship is added by
        its first row only. A node turning dense can still deadlock, rarely."""
        hubs: dict[str, dict[str, Any]] = {}
        nodes, edge_records = [], []
        for w in writes:
            for hub in w.hubs:
                hubs.setdefault(
                    hub.uid,
                    {
                        "uid": hub.uid,
                        "labels": list(hub.labels),
                        "props": {
                            **hub.props,
                            "uid": hub.uid,
                            "owner_source": w.provenance.get("source"),
                        },
                    },
                )
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
        edge_records.sort(key=lambda e: (e["start"], e["end"]))
        by_uid = {w.uid: w for w in writes}

        def edges_of(uids: Iterable[str]) -> list[dict[str, Any]]:
            return [
                {
                    "type": e.type,
                    "start": e.start,
                    "end": e.end,
                    "props": {**e.props, **by_uid[uid].provenance, "owner": uid},
                }
                for uid in uids
                for e in by_uid[uid].edges
            ]

        def work(tx: ManagedTransaction) -> Applied:
            applied = Applied()
            details: list[Changed] = []
            contributions: list[dict[str, Any]] = []
            if hubs:
                tx.run(intake_q.UPSERT_HUBS, rows=[hubs[uid] for uid in sorted(hubs)]).consume()
            if nodes:
                rows = {row["uid"]: row for row in nodes}
                for r in tx.run(intake_q.UPSERT_NODES, rows=nodes, editable=EDITABLE_SOURCES):
                    uid = r["uid"]
                    record_type = by_uid[uid].provenance["record_type"]
                    if r["owner"] is not None:
                        if record_type in SHARED_TYPES:
                            contributions.append(rows[uid])
                        else:
                            applied.refused[uid] = r["owner"]
                    elif r["changed"]:
                        applied.changed.add(uid)
                        details.append(
                            Changed(uid, record_type, bool(r["created"]), native(r["previous"]))
                        )
            if edge_records:
                result = tx.run(
                    intake_q.UPSERT_EDGE_RECORDS, rows=edge_records, editable=EDITABLE_SOURCES
                )
                for r in result:
                    if r["owner"] is not None:
                        applied.refused[r["uid"]] = r["owner"]
                    elif r["changed"]:
                        applied.changed.add(r["uid"])
            if edges := edges_of(sorted(applied.changed)):
                edges.sort(key=_referenced_first)
                tx.run(intake_q.CREATE_EDGES, rows=edges).consume()
            if contributions:
                self._contribute(tx, contributions, edges_of, applied)
            if on_changed is not None and details:
                on_changed(tx, details)
            return applied

        return self._execute_write(work, lambda a: sorted(a.changed), lambda a: sorted(a.refused))

    @staticmethod
    def _contribute(
        tx: ManagedTransaction,
        rows: list[dict[str, Any]],
        edges_of: Callable[[Iterable[str]], list[dict[str, Any]]],
        applied: Applied,
    ) -> None:
        """Another source's record of a shared entity: add what is missing, keep aside what
        conflicts with the owner's values."""
        for r in tx.run(intake_q.CONTRIBUTE_NODES, rows=rows):
            if r["added"]:
                applied.changed.add(r["uid"])
            if r["conflicts"]:
                applied.conflicts[r["uid"]] = [
                    Conflict(c["field"], r["owner"], c["owner_value"], c["value"])
                    for c in r["conflicts"]
                ]
        uids = [row["uid"] for row in rows]
        if edges := edges_of(uids):
            applied.changed.update(r["uid"] for r in tx.run(intake_q.CONTRIBUTE_EDGES, rows=edges))

    # -- lookups -------------------------------------------------------------------------

    def node(self, uid: str) -> StoredNode | None:
        rows = self.read(read_q.NODE_BY_UID, uid=uid)
        return _node(rows[0]) if rows else None

    def nodes(self, uids: Sequence[str]) -> dict[str, StoredNode]:
        rows = self.read(read_q.NODES_BY_UID, uids=list(uids))
        return {n.uid: n for n in map(_node, rows)}

    def unit_lots(
        self, purchaser: str | None, agency: str | None, now: Any, skip: int, limit: int
    ) -> list[StoredNode]:
        """Lots of projects bought by `purchaser` or run by `agency` (org uids)."""
        rows = self.read(
            check_q.UNIT_LOTS, purchaser=purchaser, agency=agency, now=now, skip=skip, limit=limit
        )
        return [_node(r) for r in rows]

    def page(self, prefix: str, label: str | None, after: str, limit: int) -> list[StoredNode]:
        rows = self.read(read_q.NODES_PAGE, prefix=prefix, label=label, after=after, limit=limit)
        return [_node(r) for r in rows]

    def neighbours(
        self, uids: Sequence[str], rel_type: str, outgoing: bool
    ) -> dict[str, list[StoredNode]]:
        cypher = read_q.OUT_NEIGHBOURS if outgoing else read_q.IN_NEIGHBOURS
        grouped: dict[str, list[StoredNode]] = defaultdict(list)
        for row in self.read(cypher, uids=list(uids), type=rel_type):
            grouped[row["parent"]].append(_node(row))
        return grouped

    def violations(
        self, subject: str | None, status: str | None, after: str, limit: int
    ) -> list[StoredNode]:
        rows = self.read(
            read_q.VIOLATIONS_PAGE, subject=subject, status=status, after=after, limit=limit
        )
        return [_node(r) for r in rows]

    def search(
        self, lucene_query: str, raw: str, labels: list[str], skip: int, limit: int
    ) -> list[tuple[StoredNode, float]]:
        rows: list[Any] = []
        if lucene_query:
            rows = self.read(
                read_q.SEARCH_FULLTEXT,
                query=lucene_query,
                labels=labels,
                skip=skip,
                limit=limit,
                window=skip + limit + 500,
            )
        if (not rows and skip == 0) or (not lucene_query):
            rows = self.read(
                read_q.SEARCH_CONTAINS, query=raw, labels=labels, skip=skip, limit=limit
            )
        return [(_node(r), float(r["score"])) for r in rows]

    def expand(
        self, frontier: Sequence[str], types: Sequence[str] | None, limit: int
    ) -> list[tuple[StoredEdge, StoredNode]]:
        rows = self.read(
            read_q.EXPAND,
            frontier=list(frontier),
            types=list(types) if types else None,
            limit=limit,
        )
        return [
            (
                StoredEdge(r["id"], r["type"], r["start"], r["end"], native(r["rprops"])),
                _node(r),
            )
            for r in rows
        ]

    def count_entities(self) -> int:
        return int(self.read(read_q.COUNT_ENTITIES)[0]["n"])

    def wipe(self) -> None:
        """Delete all data but the migration history and reset the feed and audit heads
        (test isolation on Community edition, which has one database). Auto-commit, as CALL
        ... IN TRANSACTIONS needs: the server commits as it goes, so a hub of any degree fits a
        small heap (graph/read_queries.py WIPE_RELATIONSHIPS)."""
        with self.driver.session(database=self.database) as session:
            for statement in (read_q.WIPE_RELATIONSHIPS, read_q.WIPE_NODES):
                session.run(statement).consume()
        self.write(read_q.RESET_HEADS, genesis=GENESIS)


class InTransaction(GraphStore):
    """The store seen from inside one open write transaction: its reads and writes run there.
    An eligibility check reads and files its record this way, in one transaction as raw Bolt
    would (issue 21.5), and the record states exactly what that transaction read."""

    def __init__(self, store: GraphStore, tx: Tx) -> None:
        super().__init__(store.driver, store.database)
        self.tx = tx

    def read(self, cypher: LiteralString, **params: Any) -> list[Any]:
        return list(self.tx.run(cypher, params))

    def write(self, cypher: LiteralString, **params: Any) -> list[Any]:
        return list(self.tx.run(cypher, params))
