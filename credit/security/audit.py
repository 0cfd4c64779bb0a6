"""The append-only audit trail: who did or looked at what, when, and a hash of what they got.

Events form a hash chain (each event's hash covers the previous one's), so a deleted or altered
event breaks verification. Requests only enqueue events; one writer thread appends them in
batches under a lock on the chain head, which keeps the chain linear even with several API
processes and keeps the cost of auditing off the request path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from credit.observability.logs import current_request_id
from credit.store import GENESIS, GraphStore
from graph import queries as q

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditEvent:
    actor: str
    actor_name: str
    roles: tuple[str, ...]
    credential: str
    operation: str
    targets: tuple[str, ...]
    outcome: str  # ok | denied | error
    result_hash: str
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The request it belongs to (logs, error answers); left out of the stored and hashed event
    # when empty, so events written before it still verify.
    request_id: str = field(default_factory=current_request_id)


def canonical(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def result_hash(payload: Any) -> str:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


_EVENT_FIELDS = tuple(AuditEvent.__dataclass_fields__)


class AuditLog:
    def __init__(self, store: GraphStore, batch_size: int = 500) -> None:
        self.store = store
        self.batch_size = batch_size
        self._queue: queue.Queue[AuditEvent | threading.Event] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def record(self, event: AuditEvent) -> None:
        self._ensure_writer()
        self._queue.put(event)

    def flush(self, timeout: float = 30.0) -> None:
        """Block until every event recorded so far is in the graph."""
        self._ensure_writer()
        done = threading.Event()
        self._queue.put(done)
        if not done.wait(timeout):
            raise TimeoutError("audit events were not written in time")

    def _ensure_writer(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch: list[AuditEvent] = []
            waiters: list[threading.Event] = []
            while True:
                if isinstance(item, threading.Event):
                    waiters.append(item)
                else:
                    batch.append(item)
                if len(batch) >= self.batch_size:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._append(batch)
            for waiter in waiters:
                waiter.set()

    def _append(self, batch: Sequence[AuditEvent]) -> None:
        events = [asdict(e) for e in batch]
        for event in events:
            event["roles"] = list(event["roles"])
            event["targets"] = list(event["targets"])
            if not event["request_id"]:
                del event["request_id"]

        def work(tx: ManagedTransaction) -> None:
            head = tx.run(q.AUDIT_LOCK_HEAD).single(strict=True)
            seq, prev = int(head["seq"]), str(head["hash"])
            rows = []
            for event in events:
                seq += 1
                digest = chain_hash(prev, event)
                rows.append({**event, "seq": seq, "prev_hash": prev, "hash": digest})
                prev = digest
            tx.run(q.AUDIT_INSERT, rows=rows, seq=seq, hash=prev).consume()

        from credit.api.errors import translate

        delay = 0.5
        while True:
            try:
                with self.store.driver.session(database=self.store.database) as session:
                    session.execute_write(work)
                return
            except Exception as exc:  # the trail must not take the API down
                if translate(exc) is None:  # a defect: the loss is logged
                    log.exception("could not append %d audit events", len(events))
                    return
                # Neo4j is down or restarting: keep the events and write them once it is back.
                log.warning("audit trail paused: Neo4j unavailable; %d events kept", len(events))
                time.sleep(delay)
                delay = min(delay * 2, 10.0)


@dataclass(frozen=True)
class ChainReport:
    events: int
    intact: bool
    first_broken_seq: int | None
    problem: str | None


def verify_chain(store: GraphStore) -> ChainReport:
    """Recompute every hash from the genesis; report the first event that does not fit."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    after = 0
    while True:
        rows = store.read(q.AUDIT_PAGE, after=after, limit=5000)
        if not rows:
            break
        for row in rows:
            props = row["e"]
            seq = int(props["seq"])
            if seq != expected_seq:
                return ChainReport(count, False, expected_seq, f"event {expected_seq} is missing")
            event = {k: props.get(k) for k in _EVENT_FIELDS if k in props or k != "request_id"}
            event["roles"], event["targets"] = list(event["roles"]), list(event["targets"])
            if props["prev_hash"] != prev_hash or chain_hash(prev_hash, event) != props["hash"]:
                return ChainReport(count, False, seq, f"event {seq} was altered")
            prev_hash, expected_seq, count, after = props["hash"], seq + 1, count + 1, seq
    head = store.read(q.AUDIT_HEAD)
    if head and int(head[0]["seq"]) != count:
        return ChainReport(
            count, False, count + 1, "events after the last readable one are missing"
        )
    return ChainReport(count, True, None, None)
