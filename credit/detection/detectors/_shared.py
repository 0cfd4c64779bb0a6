"""What several detectors share (not a detector: the registry skips modules starting with
"_"): the detect of the participation-conflict patterns, findings whose evidence is a lot's
bids or a string of lots, and a shared mark under another key."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from credit.detection import art18
from credit.detection.common import Mark, bid_edges, lot_timeline
from credit.detection.detector import DetectorSettings
from credit.detection.facts import BidFact, Facts, LotFacts
from credit.detection.flags import Finding, finding
from credit.standing.participation import MIN_SHARE, Conflict, ConflictCode


class HoldingSettings(DetectorSettings):
    min_share: float = MIN_SHARE  # an OWNS tie counts above this share


def conflict_detect(
    pattern: str, code: ConflictCode, label: str, key: Callable[[Conflict], list[str]]
) -> Callable[[Facts, DetectorSettings], Iterator[Finding]]:
    """The detect of a participation-conflict pattern: each lot's conflicts of `code` as of
    its day (credit.standing.participation's rule), grouped by `key`. A partial, not a
    closure, so the rule runs (and can be mutation-tested) at detection, not at import."""
    return partial(conflict_findings, pattern=pattern, code=code, label=label, key=key)


def conflict_findings(
    facts: Facts,
    settings: DetectorSettings,
    *,
    pattern: str,
    code: ConflictCode,
    label: str,
    key: Callable[[Conflict], list[str]],
) -> Iterator[Finding]:
    share = settings.min_share if isinstance(settings, HoldingSettings) else MIN_SHARE
    for lot in facts.lots:
        found = art18.lot_conflicts(facts, lot, share)
        yield from art18.findings(pattern, lot, found, code, settings.confidence, label, key=key)


def bids_finding(
    pattern: str,
    lot: LotFacts,
    bids: Sequence[BidFact],
    confidence: float,
    message: str,
    *,
    suppliers: Iterable[str] | None = None,
    facts: Mapping[str, Any] | None = None,
    scores: Mapping[str, Any] | None = None,
) -> Finding:
    """A finding on one lot whose evidence is the given bids (their suppliers by default)."""
    return finding(
        pattern,
        lot.uid,
        (b.supplier for b in bids) if suppliers is None else suppliers,
        confidence,
        message,
        nodes=(b.uid for b in bids),
        edges=bid_edges(lot, bids),
        facts=facts,
        scores=scores,
    )


def timeline_finding(
    pattern: str,
    suppliers: Collection[str],
    confidence: float,
    message: str,
    lots: Sequence[LotFacts],
    *,
    others: Iterable[str] = (),
    facts: Mapping[str, Any] | None = None,
    scores: Mapping[str, Any] | None = None,
) -> Finding:
    """A finding over a string of lots, its evidence what the suppliers bid on each and who
    won it."""
    nodes, edges = lot_timeline(lots, suppliers)
    return finding(
        pattern,
        None,
        suppliers,
        confidence,
        message,
        others=others,
        lots=[lot.uid for lot in lots],
        nodes=nodes,
        edges=edges,
        facts=facts,
        scores=scores,
    )


def rekeyed(
    mark: Mark,
    key: str,
    label: str | None = None,
    weight: float | None = None,
    parties: tuple[str, ...] = (),
) -> Mark:
    """The mark's evidence (its nodes and edges) under another key."""
    return Mark(
        key,
        mark.label if label is None else label,
        mark.weight if weight is None else weight,
        mark.nodes,
        mark.edges,
        parties,
    )
