"""Findings and their identity.

A detector returns findings; a finding becomes a flag in the graph. The flag's identity is a
hash of the pattern, the lot (or none, for patterns over the bid history) and the sorted
parties, so re-running never duplicates a flag. Its evidence hash covers what a supervisor
judged (the nodes, edges, lots and facts), not wording, confidence or statistics that drift as
the market grows (scores): a dismissed flag opens again only when that evidence changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Edge:
    """A relationship of the evidence subgraph, as it is in the graph."""

    type: str
    start: str
    end: str
    props: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    pattern: str
    lot: str | None  # the lot, or None for a pattern over the bid history
    suppliers: tuple[str, ...]
    confidence: float
    message: str
    others: tuple[str, ...] = ()  # other parties: a reviewer, a buyer, a banned supplier
    lots: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    edges: tuple[Edge, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)  # evidence: part of the hash
    scores: Mapping[str, Any] = field(default_factory=dict)  # statistics that drift: not hashed

    @property
    def uid(self) -> str:
        return flag_uid(self.pattern, self.lot, self.suppliers, self.others)

    @property
    def evidence(self) -> dict[str, Any]:
        return {
            "nodes": sorted(self.nodes),
            "edges": [
                {"type": e.type, "start": e.start, "end": e.end, "props": dict(e.props)}
                for e in self.edges
            ],
            "lots": list(self.lots),
            "facts": dict(self.facts),
        }

    @property
    def evidence_hash(self) -> str:
        return hashlib.sha256(canonical(self.evidence).encode()).hexdigest()


def finding(
    pattern: str,
    lot: str | None,
    suppliers: Iterable[str],
    confidence: float,
    message: str,
    *,
    others: Iterable[str] = (),
    lots: Iterable[str] = (),
    nodes: Iterable[str] = (),
    edges: Iterable[Edge] = (),
    facts: Mapping[str, Any] | None = None,
    scores: Mapping[str, Any] | None = None,
) -> Finding:
    """A finding with its parties sorted and its evidence deduplicated, so equal evidence
    always hashes the same. The suppliers, others and lots are evidence nodes too."""
    who = tuple(sorted(set(suppliers)))
    besides = tuple(sorted(set(others)))
    spans = tuple(dict.fromkeys([*([lot] if lot else []), *lots]))
    unique_edges = {(e.type, e.start, e.end): e for e in edges}
    return Finding(
        pattern=pattern,
        lot=lot,
        suppliers=who,
        confidence=round(min(1.0, max(0.0, confidence)), 4),
        message=message,
        others=besides,
        lots=spans,
        nodes=tuple(sorted({*nodes, *who, *besides, *spans})),
        edges=tuple(unique_edges[k] for k in sorted(unique_edges)),
        facts=dict(facts or {}),
        scores=dict(scores or {}),
    )


def flag_uid(
    pattern: str, lot: str | None, suppliers: Iterable[str], others: Iterable[str] = ()
) -> str:
    key = "|".join([pattern, lot or "-", ",".join(sorted(suppliers)), ",".join(sorted(others))])
    return "flag:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def canonical(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def combined(confidences: Iterable[float]) -> float:
    """Independent signals: the chance that at least one is right."""
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - c
    return 1.0 - miss
