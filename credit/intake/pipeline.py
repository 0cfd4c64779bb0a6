"""Intake: validate every record, check its references, and upsert the good ones in batches.

A bad record is reported with its line, field and rule and nothing of it is written; the good
records of the same input still land. Records are written in dependency order (parties before
projects before bids ...), so a file may define an entity after the records that use it.

Input is streamed in chunks, so a file of millions of records never sits in memory at once: a
record whose references are not (yet) known waits until the end of the input, when it is
checked again, which keeps the result the same as reading the whole input first. A writer
thread commits one chunk while the next is validated and mapped.
"""

from __future__ import annotations

import contextvars
import json
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from neo4j.exceptions import Neo4jError
from pydantic import ValidationError

from credit.core.store import Applied, GraphStore
from credit.domain.records import RECORD_ADAPTER, RECORD_TYPES, Record
from credit.intake.mapping import GraphWrite, Mapper
from credit.sync.feed import PUBLISHED_TYPES, publish_record_changes

MAX_LINE_BYTES = 64 * 1024
# Batches written at once: one keeps the database waiting on each round trip and commit (issue
# 21.2 measured 40% of two cores idle that way); more than the cores buys nothing.
WRITERS = 2
_RANK = {name: i for i, name in enumerate(RECORD_TYPES)}
_RULES = {
    "missing": "required",
    "string_too_long": "max_length",
    "string_too_short": "min_length",
    "too_long": "max_items",
    "too_short": "min_items",
    "greater_than_equal": "minimum",
    "greater_than": "exclusive_minimum",
    "less_than_equal": "maximum",
    "enum": "enum",
    "literal_error": "enum",
    "union_tag_invalid": "type.unknown",
    "union_tag_not_found": "type.required",
    "extra_forbidden": "unknown_field",
    "string_pattern_mismatch": "pattern",
    "decimal_max_places": "decimal_places",
    "model_type": "object",
    "model_attributes_type": "object",
}


@dataclass(frozen=True)
class IntakeError:
    line: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.rule}: {self.message}"


@dataclass
class IntakeReport:
    received: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[IntakeError] = field(default_factory=list)
    # values another source had already set, kept aside (the record itself landed)
    conflicts: list[IntakeError] = field(default_factory=list)
    changed_uids: list[str] = field(default_factory=list)
    accepted_uids: dict[int, str] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len({e.line for e in self.errors})

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def summary(self) -> str:
        text = (
            f"{self.received} received, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        return text + (f", {len(self.conflicts)} conflicting values" if self.conflicts else "")


_REF_TYPES = frozenset({"OrgRef", "PersonRef", "PersonKeyRef", "ProjectRef", "GroupRef"})


def rule_of(pydantic_type: str) -> str:
    return _RULES.get(pydantic_type, pydantic_type)


def _field(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _RANK:  # the discriminator tag pydantic puts first
        parts = parts[1:]
    parts = [p for p in parts if p not in _REF_TYPES]
    return ".".join(parts) or "(record)"


def validate_record(line: int, raw: Any) -> Record | list[IntakeError]:
    """Parse one record (a JSON text or an already-decoded object)."""
    if isinstance(raw, str | bytes):
        size = len(raw.encode() if isinstance(raw, str) else raw)
        if size > MAX_LINE_BYTES:
            return [
                IntakeError(
                    line, "(record)", "line.size", f"records are at most {MAX_LINE_BYTES} bytes"
                )
            ]
        try:  # the fast path: pydantic parses and validates in one pass
            return RECORD_ADAPTER.validate_json(raw)
        except ValidationError:
            pass  # re-read below, so a bad line is reported exactly as a decoded one would be
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            return [IntakeError(line, "(record)", "json.syntax", exc.msg)]
    if not isinstance(raw, dict):
        return [IntakeError(line, "(record)", "json.object", "each record is a JSON object")]
    try:
        return RECORD_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        return [
            IntakeError(line, _field(err["loc"]), rule_of(err["type"]), err["msg"])
            for err in exc.errors(include_url=False)
        ]


def _is_rejection(raw: Any) -> bool:
    return isinstance(raw, list) and bool(raw) and all(isinstance(e, IntakeError) for e in raw)


def read_jsonl(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.decode("utf-8", errors="replace").strip()
            if text:
                yield number, text


@dataclass(frozen=True)
class _Staged:
    line: int
    rank: int
    write: GraphWrite


Progress = Callable[[int], object]


@dataclass
class _Outcome:
    """What the database did with one batch: what it applied, the records that landed, and
    those it refused outright (retried one by one)."""

    applied: Applied
    ok: list[_Staged]
    refused: list[IntakeError]


@dataclass(frozen=True)
class _Batch:
    """A batch with what it writes (record and hub uids) and what it reads (references):
    two batches that share none of these, and do not both publish to the change feed, give
    the same graph whichever commits first."""

    serial: int
    staged: list[_Staged]
    keys: frozenset[str]
    refs: frozenset[str]
    publishes: bool

    @classmethod
    def of(cls, serial: int, staged: list[_Staged]) -> _Batch:
        keys = {s.write.uid for s in staged} | {h.uid for s in staged for h in s.write.hubs}
        refs = {uid for s in staged for uid in s.write.refs}
        publishes = any(s.write.provenance.get("record_type") in PUBLISHED_TYPES for s in staged)
        return cls(serial, staged, frozenset(keys), frozenset(refs), publishes)

    def depends_on(self, earlier: _Batch) -> bool:
        return (
            (self.publishes and earlier.publishes)
            or not earlier.keys.isdisjoint(self.keys)
            or not earlier.keys.isdisjoint(self.refs)
            or not earlier.refs.isdisjoint(self.keys)
        )


class _Writer:
    """Commits batches on threads of its own while the caller validates and maps the next
    chunk. With several writers, a batch starts as soon as no batch in flight writes what it
    writes or reads (see _Batch), so each commits as if the batches ran one after another in
    the order submitted; the change feed's batches commit in that order, and the report is
    filled in that order too, so it reads exactly as with one writer."""

    def __init__(self, intake: Intake, report: IntakeReport, progress: Progress) -> None:
        self._intake, self._report, self._progress = intake, report, progress
        self._queue: queue.Queue[list[_Staged] | None] = queue.Queue()
        self._failure: BaseException | None = None
        self._serial = 0
        self._pool = (
            ThreadPoolExecutor(intake.writers, thread_name_prefix="intake-writer")
            if intake.writers > 1
            else None
        )
        # the caller's context goes along, so the request's audit scope covers these writes
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._loop,), name="intake-writer", daemon=True
        )
        self._thread.start()

    def submit(self, batch: list[_Staged]) -> None:
        self._raise_failure()
        self._queue.put(batch)

    def drain(self) -> None:
        """Wait until everything submitted is committed (or refused)."""
        self._queue.join()
        self._raise_failure()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._pool is not None:
            self._pool.shutdown()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _loop(self) -> None:
        flight: deque[tuple[_Batch, Future[_Outcome]]] = deque()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:  # nothing waiting: finish what is in flight, so drain returns
                while flight:
                    self._retire(*flight.popleft())
                item = self._queue.get()
            if item is None:
                break
            batch = _Batch.of(self._serial, item)
            self._serial += 1
            if self._pool is None or self._failure is not None:
                self._retire(batch, None)
                continue
            while flight and (
                len(flight) >= self._intake.writers
                or any(batch.depends_on(earlier) for earlier, _ in flight)
            ):
                self._retire(*flight.popleft())
            task = contextvars.copy_context().run
            flight.append((batch, self._pool.submit(task, self._intake.apply, batch.staged)))
        while flight:
            self._retire(*flight.popleft())
        self._queue.task_done()

    def _retire(self, batch: _Batch, running: Future[_Outcome] | None) -> None:
        """Report one batch, in the order submitted (writing it here with one writer)."""
        try:
            if self._failure is None:
                outcome = self._intake.apply(batch.staged) if running is None else running.result()
                self._intake.record(outcome, self._report)
                self._progress(len(batch.staged))
        except BaseException as exc:  # handed to the caller's thread by drain/submit
            self._failure = exc
        finally:
            self._queue.task_done()


class Intake:
    """`writers`: how many batches may be written at once (each its own transaction); the
    result is the same for any number (see _Writer)."""

    def __init__(
        self,
        store: GraphStore,
        mapper: Mapper,
        batch_size: int = 500,
        chunk_size: int = 20_000,
        writers: int = WRITERS,
    ) -> None:
        self.store = store
        self.mapper = mapper
        self.batch_size = batch_size
        self.chunk_size = max(chunk_size, batch_size)
        self.writers = max(1, writers)

    def run(
        self,
        items: Iterable[tuple[int, Any]],
        progress: Progress | None = None,
        allowed_source: str | None = None,
    ) -> IntakeReport:
        """Ingest; with `allowed_source`, records of any other source are refused."""
        report = IntakeReport()
        lock = threading.Lock()

        def tick(count: int) -> None:
            if progress is not None:
                with lock:
                    progress(count)

        lines: set[int] = set()
        waiting: list[_Staged] = []  # records whose references were not known yet
        writer = _Writer(self, report, tick)
        try:
            stream, size = iter(items), 2 * self.batch_size  # small first: writing starts soon
            while chunk := list(islice(stream, size)):
                staged = self._stage(chunk, lines, allowed_source, report, tick)
                writer.drain()  # references may point at what the previous chunk wrote
                accepted, deferred = self._check_references(staged, {s.write.uid for s in waiting})
                waiting += [s for s, _ in deferred]
                self._submit(writer, accepted)
                size = min(2 * size, self.chunk_size)
            writer.drain()
            waiting.sort(key=lambda s: s.rank)
            accepted, deferred = self._check_references(waiting, set())
            self._submit(writer, accepted)
            writer.drain()
        finally:
            writer.close()
        for record, missing in deferred:
            report.errors.extend(
                IntakeError(record.line, name, "reference.exists", f"{uid} is not known")
                for uid, name in missing
            )
            tick(1)
        report.received = len(lines)
        report.errors.sort(key=lambda e: e.line)
        report.conflicts.sort(key=lambda e: e.line)
        return report

    def _stage(
        self,
        chunk: list[tuple[int, Any]],
        lines: set[int],
        allowed_source: str | None,
        report: IntakeReport,
        tick: Progress,
    ) -> list[_Staged]:
        """Validate and map one chunk, in dependency order; report what is malformed."""
        staged = []
        for line, raw in chunk:
            lines.add(line)
            item = self._prepare(line, raw, allowed_source)
            if isinstance(item, list):
                report.errors.extend(item)
                tick(1)
                continue
            staged.append(item)
        staged.sort(key=lambda s: s.rank)
        return staged

    def _prepare(self, line: int, raw: Any, allowed_source: str | None) -> _Staged | list[Any]:
        """One record validated and mapped, or what is wrong with it."""
        # A converter (OCDS, external lists) may hand over a record it already rejected.
        parsed = raw if _is_rejection(raw) else validate_record(line, raw)
        if not isinstance(parsed, list) and allowed_source and parsed.source != allowed_source:
            return [
                IntakeError(
                    line,
                    "source",
                    "source.forbidden",
                    f"this client writes source {allowed_source!r} only",
                )
            ]
        if isinstance(parsed, list):
            return parsed
        return _Staged(line, _RANK[parsed.type], self.mapper.map(parsed))

    def _check_references(
        self, staged: list[_Staged], blocked: set[str]
    ) -> tuple[list[_Staged], list[tuple[_Staged, list[tuple[str, str]]]]]:
        """Split into records whose references exist (in the graph or earlier in `staged`) and
        the rest; a reference to a `blocked` uid (a record still waiting) counts as unknown."""
        defined = {s.write.uid for s in staged}
        outside = {
            uid for s in staged for uid in s.write.refs if uid not in defined and uid not in blocked
        }
        available = self.store.existing_uids(outside) if outside else set()
        accepted, deferred = [], []
        for s in staged:
            missing = [(uid, name) for uid, name in s.write.refs.items() if uid not in available]
            if missing:
                deferred.append((s, missing))
            else:
                available.add(s.write.uid)
                accepted.append(s)
        return accepted, deferred

    def _submit(self, writer: _Writer, accepted: list[_Staged]) -> None:
        for start in range(0, len(accepted), self.batch_size):
            writer.submit(accepted[start : start + self.batch_size])

    def apply(self, batch: list[_Staged]) -> _Outcome:
        """Upsert one batch in one transaction; a batch the database refuses is retried record
        by record, so only the refused record is reported. Safe to call from several threads:
        it touches no report."""
        try:
            applied = self.store.apply([s.write for s in batch], publish_record_changes)
            return _Outcome(applied, batch, [])
        except Neo4jError:
            outcome = _Outcome(Applied(), [], [])
        for staged in batch:
            try:
                one = self.store.apply([staged.write], publish_record_changes)
            except Neo4jError as exc:
                outcome.refused.append(
                    IntakeError(staged.line, "(record)", "store.write", exc.message or "refused")
                )
                continue
            outcome.ok.append(staged)
            outcome.applied.changed |= one.changed
            outcome.applied.refused |= one.refused
            outcome.applied.conflicts |= one.conflicts
        return outcome

    @staticmethod
    def record(outcome: _Outcome, report: IntakeReport) -> None:
        """Report one written batch. A record another source owns was refused
        (`source.not_owner`); the rest of the batch landed."""
        applied = outcome.applied
        report.errors += outcome.refused
        for staged in outcome.ok:
            uid = staged.write.uid
            if (owner := applied.refused.get(uid)) is not None:
                report.errors.append(
                    IntakeError(
                        staged.line,
                        "source",
                        "source.not_owner",
                        f"{uid} belongs to source {owner!r}; only it (or a supervisor's "
                        "amendRecord) may change it",
                    )
                )
                continue
            report.conflicts += [
                IntakeError(
                    staged.line,
                    c.field,
                    "source.conflict",
                    f"{uid}: source {c.owner!r} set {c.owner_value!r}; "
                    f"{c.value!r} is kept aside for a supervisor",
                )
                for c in applied.conflicts.get(uid, ())
            ]
            report.accepted_uids[staged.line] = uid
            if uid in applied.changed:
                report.changed += 1
                report.changed_uids.append(uid)
            else:
                report.unchanged += 1
