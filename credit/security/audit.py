"""The append-only audit trail: who did or looked at what, when, and a hash of what they got.

Events form a hash chain (each event's hash covers the previous one's), so a deleted or altered
event breaks verification. No answered request leaves the trail:
- a mutation's write events commit in the write's own transaction (`AuditScope`, installed
  per request as `credit.core.store.WRITE_AUDIT`), naming the uids written and refused;
- every request's event (reads included) is durable before its answer leaves: requests hand
  their events to one writer thread, which appends whatever has queued up in one transaction
  (group commit) and then releases the requests whose events it holds;
- a query that files a check record leaves its transaction open (`RequestTransaction`) and its
  event commits in it, so the record and its event commit together, in one commit.
Appenders take the lock on the chain head last in their transaction, so the chain stays
linear with several API processes and concurrent writes.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import queue
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import Token
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from credit.core.failures import translate
from credit.core.store import (
    GENESIS,
    REQUEST_TRANSACTION,
    WRITE_AUDIT,
    GraphStore,
    RequestTransaction,
    TransactionAudit,
    Tx,
)
from credit.observability.logs import current_request_id
from graph import audit_queries as audit_q

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
    # Added later: left out of the stored and hashed event when empty, so events written
    # before them still verify.
    in_transaction: bool = False  # committed inside the write it describes
    rejected: tuple[str, ...] = ()  # uids the write refused (another source's records)
    reason: str = ""  # the reason the caller gave (an amendment, a review)
    request_id: str = field(default_factory=current_request_id)  # its request (logs, errors)


_EVENT_FIELDS = tuple(AuditEvent.__dataclass_fields__)
_OPTIONAL = frozenset({"in_transaction", "rejected", "reason", "request_id"})
_LISTS = ("roles", "targets", "rejected")


def as_stored(event: dict[str, Any]) -> dict[str, Any]:
    """An event as it is stored and hashed: lists as lists, empty optional fields left out."""
    out = {k: list(v) if k in _LISTS and v is not None else v for k, v in event.items()}
    return {k: v for k, v in out.items() if k not in _OPTIONAL or v}


def canonical(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def result_hash(payload: Any) -> str:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append_in(tx: Tx, batch: Sequence[AuditEvent]) -> None:
    """Append events to the chain inside `tx` (see AUDIT_STAGE_AND_LOCK_HEAD for the lock
    order): two round trips."""
    events = [as_stored(asdict(e)) for e in batch]
    head = tx.run(audit_q.AUDIT_STAGE_AND_LOCK_HEAD, rows=events).single(strict=True)
    seq, prev = int(head["seq"]), str(head["hash"])
    seals = []
    for event in events:
        seq += 1
        digest = chain_hash(prev, event)
        seals.append({"id": event["id"], "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    tx.run(audit_q.AUDIT_SEAL, rows=seals, seq=seq, hash=prev).consume()


Notify = Callable[[BaseException | None], None]


@dataclass
class RequestToken:
    """What `AuditLog.scope` installed for one request: reset by `end_scope`; its open
    transaction, if the request left one, is committed by `commit` (rolled back if the
    request ends without it)."""

    write_audit: Token[TransactionAudit | None]
    transaction: Token[RequestTransaction | None]
    pending: RequestTransaction | None


@dataclass
class AuditScope:
    """One request's audit inside its writes: each write transaction the request makes gets an
    event (committed with it) naming what it wrote; the uids are kept for the request's event."""

    base: AuditEvent
    touched: list[str] = field(default_factory=list)

    def __call__(
        self, tx: ManagedTransaction, written: Sequence[str], rejected: Sequence[str]
    ) -> None:
        targets = tuple(dict.fromkeys([*self.base.targets, *written]))
        event = AuditEvent(
            actor=self.base.actor,
            actor_name=self.base.actor_name,
            roles=self.base.roles,
            credential=self.base.credential,
            operation=self.base.operation,
            targets=targets,
            outcome="ok",
            result_hash=result_hash({"written": list(written), "rejected": list(rejected)}),
            in_transaction=True,
            rejected=tuple(rejected),
            reason=self.base.reason,
        )
        append_in(tx, [event])
        # a retried transaction calls again: keep each uid once
        self.touched = list(dict.fromkeys([*self.touched, *written, *rejected]))


class AuditLog:
    def __init__(self, store: GraphStore, batch_size: int = 500, durable: bool = True) -> None:
        self.store = store
        self.batch_size = batch_size
        # False is the old asynchronous trail (events may be lost in a crash); kept only to
        # measure what durability costs (bench/audit_cost.py).
        self.durable = durable
        self._queue: queue.Queue[tuple[AuditEvent | None, Notify | None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # Requests' open transactions commit here, never on the loop's shared thread pool:
        # their checks hold the log head's lock, and the threads of the pool may all be waiting
        # for it in other requests' checks; these threads wait for nothing a check holds.
        self._committer = ThreadPoolExecutor(max_workers=32, thread_name_prefix="audit-commit")

    # -- request events ------------------------------------------------------------------

    def record(self, event: AuditEvent) -> None:
        """Queue an event; durable mode waits until it is committed (blocks this thread)."""
        if not self.durable:
            self._put(event, None)
            return
        done = threading.Event()
        failure: list[BaseException] = []

        def notify(exc: BaseException | None) -> None:
            if exc is not None:
                failure.append(exc)
            done.set()

        self._put(event, notify)
        if not done.wait(60):
            raise TimeoutError("the audit event was not written in time")
        if failure:
            raise failure[0]

    async def commit(self, event: AuditEvent, token: RequestToken | None = None) -> None:
        """Queue an event and (durable mode) wait, without blocking the loop, until the batch
        holding it is committed; raises if it could not be written. A request that left its
        transaction open (a check) appends the event there and commits both at once."""
        pending = token.pending if token is not None else None
        if pending is not None and pending.open:
            loop = asyncio.get_running_loop()
            last = functools.partial(append_in, batch=[event])
            if await loop.run_in_executor(self._committer, pending.commit, last):
                return
        if not self.durable:
            self._put(event, None)
            return
        loop = asyncio.get_running_loop()
        settled: asyncio.Future[None] = loop.create_future()

        def settle(exc: BaseException | None) -> None:
            if settled.done():
                return
            if exc is None:
                settled.set_result(None)
            else:
                settled.set_exception(exc)

        def notify(exc: BaseException | None) -> None:
            loop.call_soon_threadsafe(settle, exc)

        self._put(event, notify)
        await settled

    def flush(self, timeout: float = 30.0) -> None:
        """Block until every event recorded so far is in the graph."""
        done = threading.Event()
        self._put(None, lambda _: done.set())
        if not done.wait(timeout):
            raise TimeoutError("audit events were not written in time")

    # -- write events --------------------------------------------------------------------

    def scope(self, base: AuditEvent | None) -> tuple[AuditScope | None, RequestToken]:
        """Install a mutation's in-transaction audit (durable mode), or for a query (`base`
        None) the transaction its checks leave open for its event; end_scope the token after,
        and hand it to `commit`."""
        scope = AuditScope(base) if self.durable and base is not None else None
        pending = None
        if self.durable and base is None:
            pending = RequestTransaction(self.store.driver, self.store.database)
        token = RequestToken(WRITE_AUDIT.set(scope), REQUEST_TRANSACTION.set(pending), pending)
        if pending is not None:  # a request that never commits releases its locks
            weakref.finalize(token, pending.close)
        return scope, token

    @staticmethod
    def end_scope(token: RequestToken) -> None:
        REQUEST_TRANSACTION.reset(token.transaction)
        WRITE_AUDIT.reset(token.write_audit)

    # -- the writer ----------------------------------------------------------------------

    def _put(self, event: AuditEvent | None, notify: Notify | None) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()
        self._queue.put((event, notify))

    def _run(self) -> None:
        """Group commit. While Neo4j is away the waiting requests are answered UNAVAILABLE,
        and their events are kept and written first once it is back (retried with backoff,
        even when no request comes), so an outage's answers end up on the trail too."""
        kept: list[AuditEvent] = []
        delay = 0.5
        while True:
            try:
                item: tuple[AuditEvent | None, Notify | None] | None = (
                    self._queue.get(timeout=delay) if kept else self._queue.get()
                )
            except queue.Empty:
                item = None
            batch, waiters = list(kept), []
            while item is not None:
                event, notify = item
                if event is not None:
                    batch.append(event)
                if notify is not None:
                    waiters.append(notify)
                if len(batch) >= self.batch_size:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = None
            failure = self._append(batch) if batch else None
            for waiter in waiters:
                waiter(failure)
            if failure is not None and translate(failure) is not None:
                log.warning("audit trail paused: Neo4j unavailable; %d events kept", len(batch))
                kept, delay = batch, min(delay * 2, 10.0)
            else:
                kept, delay = [], 0.5

    def _append(self, batch: Sequence[AuditEvent]) -> BaseException | None:
        try:
            with self.store.driver.session(database=self.store.database) as session:
                session.execute_write(lambda tx: append_in(tx, batch))
        except Exception as exc:  # the waiting requests fail; an async event's loss is logged
            log.exception("could not append %d audit events", len(batch))
            return exc
        return None


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
        rows = store.read(audit_q.AUDIT_PAGE, after=after, limit=5000)
        if not rows:
            break
        for row in rows:
            props = row["e"]
            seq = int(props["seq"])
            if seq != expected_seq:
                return ChainReport(count, False, expected_seq, f"event {expected_seq} is missing")
            event = as_stored(
                {k: props.get(k) for k in _EVENT_FIELDS if k not in _OPTIONAL or k in props}
            )
            if props["prev_hash"] != prev_hash or chain_hash(prev_hash, event) != props["hash"]:
                return ChainReport(count, False, seq, f"event {seq} was altered")
            prev_hash, expected_seq, count, after = props["hash"], seq + 1, count + 1, seq
    head = store.read(audit_q.AUDIT_HEAD)
    if head and int(head[0]["seq"]) != count:
        return ChainReport(
            count, False, count + 1, "events after the last readable one are missing"
        )
    return ChainReport(count, True, None, None)


def search(
    store: GraphStore,
    *,
    target: str | None,
    actor: str | None,
    operation: str | None,
    since: str | None,
    before: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Audit events newest first, narrowed by whichever filters are given."""
    rows = store.read(
        audit_q.AUDIT_SEARCH,
        target=target,
        actor=actor,
        operation=operation,
        since=since,
        before=before,
        limit=limit,
    )
    return [row["e"] for row in rows]
