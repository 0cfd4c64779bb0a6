"""The lot detectors of participation conflicts (SAME_CONTROLLER, DIRECT_HOLDING,
COMMON_CONTROLLER) read the one rule, credit.standing.participation, and turn its conflicts
into flags with their evidence: the ties behind them and the bids of the lot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from credit.detection.common import bid_edges
from credit.detection.facts import Facts, LotFacts, Tie
from credit.detection.flags import Edge, Finding, finding
from credit.standing.participation import MIN_SHARE, Bidder, Conflict, ConflictCode, conflicts


def lot_conflicts(facts: Facts, lot: LotFacts, min_share: float = MIN_SHARE) -> list[Conflict]:
    """The lot's conflicts as of its day, with the ties in force then."""
    bidders = [Bidder(b.uid, b.supplier) for b in lot.bids]
    ties = {s: facts.ties_of(s, lot.day) for s in lot.suppliers}
    return conflicts(bidders, ties, min_share=min_share)


def findings(
    pattern: str,
    lot: LotFacts,
    found: list[Conflict],
    code: ConflictCode,
    confidence: float,
    label: str,
    key: Callable[[Conflict], list[str]],
) -> Iterator[Finding]:
    """One finding per set of bidders tied by the same keys (a person behind them all, one
    holding), as shared identifiers are grouped: the evidence is the ties and the bids."""
    carriers: dict[str, set[str]] = defaultdict(set)
    evidence: dict[str, set[Tie]] = defaultdict(set)
    for c in found:
        if c.code != code:
            continue
        for k in key(c):
            carriers[k] |= set(c.supplier_ids)
            evidence[k] |= set(c.ties)
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for k, carried in carriers.items():
        groups[frozenset(carried)].append(k)
    for who, keys in sorted(groups.items(), key=lambda g: sorted(g[0])):
        ties = sorted({t for k in keys for t in evidence[k]}, key=lambda t: (t.source, t.target))
        bids = [b for b in lot.bids if b.supplier in who]
        yield finding(
            pattern,
            lot.uid,
            who,
            confidence,
            f"{len(who)} bidders of lot {lot.key} share {label}",
            nodes=[*(t.source for t in ties), *(b.uid for b in bids)],
            edges=[*(_edge(t) for t in ties), *bid_edges(lot, bids)],
            facts={"shared": sorted(keys)},
        )


def _edge(tie: Tie) -> Edge:
    return Edge(tie.type, tie.source, tie.target, {} if tie.share is None else {"share": tie.share})
