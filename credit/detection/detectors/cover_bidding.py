"""COVER_BIDDING: suppliers that keep losing to the same winner with bids placed just above it.

Why it signals collusion: a cover bid is made to lose. It gives the purchaser the look of a
contest while letting the designated winner through at its price: the cover bidder prices
just above the winner lot after lot and never undercuts it (Implementing Regulations Art. 74).
Rivals who are simply dearer sometimes win or undercut. A pair is flagged when the cover
bidder, in at least `min_lots` of the winner's wins, sat within `max_gap` above it, rarely if
ever priced below it in the lots they both bid for (`max_undercut`), and the two meeting that
often (given how often each bids in the market they share), with the cover that close and
that seldom below, would arise by chance less often than `max_chance`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from itertools import combinations

from credit.detection import basis
from credit.detection.common import binomial_tail, together_chance
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import timeline_finding
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding
from credit.detection.planting import Plant, Planting, Wave


class Settings(DetectorSettings):
    confidence: float = 0.75
    min_lots: int = 4  # the winner's wins with the cover bidder just above
    max_gap: float = 0.05  # "just above": at most this far above the winner's price (relative)
    max_undercut: float = 0.25  # of the lots both bid for, the share the cover may price below it
    max_cover_wins: float = 0.3  # a cover bidder wins at most this share of the lots it bids for
    max_chance: float = 0.001


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    if facts.history is None:
        return
    history = facts.history
    beaten: defaultdict[tuple[str, str], int] = defaultdict(int)  # (cheaper, dearer) -> lots
    close: defaultdict[tuple[str, str], list[LotFacts]] = defaultdict(list)
    chance: defaultdict[tuple[str, str], float] = defaultdict(lambda: 1.0)
    bids: defaultdict[str, int] = defaultdict(int)
    wins: defaultdict[str, int] = defaultdict(int)
    for lot in history.ordered:
        ranked = [b for b in lot.contenders if facts.in_focus([b.supplier])]
        for bid in ranked:
            bids[bid.supplier] += 1
            wins[bid.supplier] += lot.winner == bid.supplier
        for low, high in combinations(ranked, 2):
            beaten[(low.supplier, high.supplier)] += 1
            pair = (low.supplier, high.supplier)
            n = len(lot.contenders)
            if lot.winner == low.supplier and lot.ranks.get(low.supplier) == 1:
                gap = (high.price - low.price) / low.price if low.price else Decimal(1)
                if gap <= Decimal(str(settings.max_gap)):
                    close[pair].append(lot)
                    chance[pair] *= (lot.ranks[high.supplier] - 1) / (n - 1)
    covers: defaultdict[str, list[tuple[str, list[LotFacts], float]]] = defaultdict(list)
    for (winner, cover), lots in sorted(close.items()):
        undercut = beaten[(cover, winner)]
        met = beaten[(winner, cover)] + undercut
        if (
            len(lots) < settings.min_lots
            or undercut > settings.max_undercut * met
            or wins[cover] > settings.max_cover_wins * bids[cover]
        ):
            continue
        p = (
            chance[(winner, cover)]
            * binomial_tail(met - undercut, met, 0.5)
            * together_chance(history, (winner, cover), met)
        )
        if p <= settings.max_chance:
            covers[winner].append((cover, lots, p))
    for winner, found in sorted(covers.items()):
        suppliers = [winner, *(c for c, _, _ in found)]
        lots = history.of({lot.uid for _, ls, _ in found for lot in ls})
        yield timeline_finding(
            DETECTOR.id,
            suppliers,
            settings.confidence,
            f"{len(found)} supplier(s) bid just above the same winner in {len(lots)} of its "
            "wins and never undercut it",
            lots,
            facts={"winner": winner, "covers": {c: len(ls) for c, ls, _ in found}},
            scores={"chance": max(p for _, _, p in found)},
        )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """One winner, and the same bidders placed just above it every time."""
    rng = m.rng
    ring = m.ring(rng.choice((2, 3, 3)))
    winner = ring[0]
    lots = m.ring_lots(ring, rng.randint(4, 6))
    for lot in lots:
        base = m.lead(lot, winner, 0.9, 0.96)
        m.above(lot, ring[1:], base, 1.005, 1.04)
        m.above(lot, m.draw(lot, rng.randint(1, 4), ring), base, 1.05, 1.2)
    m.record(DETECTOR.id, None, ring)
    m.rigged.extend(lots)


# pragma: no mutate end


DETECTOR = Detector(
    id="COVER_BIDDING",
    order=160,
    title="Persistent losers placed just above the same winner",
    basis=basis.ART74,
    reads=frozenset({Reads.HISTORY}),
    phases=frozenset({Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.CASES, plant),),
)
