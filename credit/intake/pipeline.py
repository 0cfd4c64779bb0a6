"""Intake: validate every record, check its references, and upsert the good ones in batches.

A bad record is reported with its line, field and rule and nothing of it is written; the good
records of the same input still land. Records are written in dependency order (parties before
projects before bids ...), so a file may define an entity after the records that use it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j.exceptions import Neo4jError
from pydantic import ValidationError

from credit.domain.records import RECORD_ADAPTER, RECORD_TYPES, Record
from credit.intake.mapping import GraphWrite, Mapper
from credit.store import GraphStore
from credit.sync.feed import publish_record_changes

MAX_LINE_BYTES = 64 * 1024
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
    changed_uids: list[str] = field(default_factory=list)
    accepted_uids: dict[int, str] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len({e.line for e in self.errors})

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def summary(self) -> str:
        return (
            f"{self.received} received, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


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


class Intake:
    def __init__(self, store: GraphStore, mapper: Mapper, batch_size: int = 500) -> None:
        self.store = store
        self.mapper = mapper
        self.batch_size = batch_size

    def run(
        self,
        items: Iterable[tuple[int, Any]],
        progress: Callable[[int], object] | None = None,
        allowed_source: str | None = None,
    ) -> IntakeReport:
        """Ingest; with `allowed_source`, records of any other source are refused."""
        report = IntakeReport()
        staged: list[tuple[int, Record, GraphWrite]] = []
        lines: set[int] = set()
        for line, raw in items:
            lines.add(line)
            # A converter (OCDS, external lists) may hand over a record it already rejected.
            parsed = raw if _is_rejection(raw) else validate_record(line, raw)
            if not isinstance(parsed, list) and allowed_source and parsed.source != allowed_source:
                parsed = [
                    IntakeError(
                        line,
                        "source",
                        "source.forbidden",
                        f"this client writes source {allowed_source!r} only",
                    )
                ]
            if isinstance(parsed, list):
                report.errors.extend(parsed)
                if progress:
                    progress(1)
                continue
            staged.append((line, parsed, self.mapper.map(parsed)))
        report.received = len(lines)
        staged.sort(key=lambda item: _RANK[item[1].type])
        accepted = self._check_references(staged, report)
        for start in range(0, len(accepted), self.batch_size):
            batch = accepted[start : start + self.batch_size]
            self._write(batch, report)
            if progress:
                progress(len(batch))
        report.errors.sort(key=lambda e: e.line)
        return report

    def _check_references(
        self, staged: list[tuple[int, Record, GraphWrite]], report: IntakeReport
    ) -> list[tuple[int, GraphWrite]]:
        defined = {w.uid for _, _, w in staged}
        outside = {uid for _, _, w in staged for uid in w.refs if uid not in defined}
        available = self.store.existing_uids(outside) if outside else set()
        accepted = []
        for line, _, write in staged:
            missing = [(uid, name) for uid, name in write.refs.items() if uid not in available]
            if missing:
                report.errors.extend(
                    IntakeError(line, name, "reference.exists", f"{uid} is not known")
                    for uid, name in missing
                )
                continue
            available.add(write.uid)
            accepted.append((line, write))
        return accepted

    def _write(self, batch: list[tuple[int, GraphWrite]], report: IntakeReport) -> None:
        try:
            changed = self.store.apply([w for _, w in batch], publish_record_changes)
            ok = batch
        except Neo4jError:
            # Isolate the record the database refused; the rest of the batch still lands.
            changed, ok = set(), []
            for line, write in batch:
                try:
                    changed |= self.store.apply([write], publish_record_changes)
                    ok.append((line, write))
                except Neo4jError as exc:
                    report.errors.append(
                        IntakeError(line, "(record)", "store.write", exc.message or "refused")
                    )
        for line, write in ok:
            report.accepted_uids[line] = write.uid
            if write.uid in changed:
                report.changed += 1
                report.changed_uids.append(write.uid)
            else:
                report.unchanged += 1
