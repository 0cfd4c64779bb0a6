"""COBIDDING_COMMUNITY: a community of the co-bidding network of one region and period that
turns out together, bids among itself and keeps the wins inside.

Why it signals collusion (Wachs & Kertesz 2019; Imhof et al. on graph methods): a cartel
shares a market, so its members meet on the same lots far more than competitors of the trade
do, seldom meet anyone else, and between them win what they bid for. The co-bidding network
of each region (the purchaser's administrative division, from its USCC) and period is split
into communities with Louvain modularity (networkx); a community is flagged when it is
cohesive (members turn out together), exclusive (their co-bidding stays inside), wins the
lots it bids on, and does so on enough lots. The bid screens of its lots (the spread of the
members' prices, how many members won) are shown beside it: a supervisor weighs them, as
Regs Art. 74 item 4 and Order 87 Art. 37 describe concerted bidding.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import networkx as nx

from credit.detection import basis
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import timeline_finding
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding
from credit.detection.planting import END, START, Plant, Planting, Wave


class Settings(DetectorSettings):
    confidence: float = 0.6
    period_years: int = 1  # calendar years in one period of the network
    min_members: int = 3  # suppliers in a community
    min_lots: int = 5  # lots on which at least two members bid
    min_cohesion: float = 0.7  # mean share of the members bidding on those lots
    min_exclusivity: float = 0.4  # share of the members' co-bidding that is with one another
    min_win_share: float = 0.8  # share of those lots a member won
    resolution: float = 1.0  # Louvain's resolution: above 1, smaller communities
    # Louvain on one region's year merged a club of 4-5 into a community of 25-40 bidders,
    # whose core missed it: a community with more members that is not flagged is split again
    split_above: int = 8
    seed: int = 1  # Louvain's seed: the same history gives the same communities


@dataclass(frozen=True)
class Community:
    region: str
    period: str
    members: tuple[str, ...]
    lots: tuple[LotFacts, ...]
    cohesion: float
    exclusivity: float
    win_share: float
    price_cv: float  # mean coefficient of variation of the members' prices in a lot
    winners: int  # members that won at least one of the lots


def region_of(purchaser: str | None) -> str | None:
    """The purchaser's administrative division (characters 3-8 of its USCC)."""
    if purchaser is None or not purchaser.startswith("org:"):
        return None
    code = purchaser[4:]
    division = code[2:8]
    return division if len(code) == 18 and division.isdigit() else None


def communities(lots: Sequence[LotFacts], settings: Settings) -> list[Community]:
    """The flagged communities of a history's lots, per region and period."""
    markets: dict[tuple[str, str], list[LotFacts]] = defaultdict(list)
    for lot in lots:
        region = region_of(lot.purchaser)
        if region is None:
            continue
        start = lot.day.year - (lot.day.year % settings.period_years)
        period = (
            str(start)
            if settings.period_years == 1
            else f"{start}-{start + settings.period_years - 1}"
        )
        markets[(region, period)].append(lot)
    found = []
    for (region, period), market in sorted(markets.items()):
        found += _market(region, period, market, settings)
    return found


def _market(region: str, period: str, lots: list[LotFacts], settings: Settings) -> list[Community]:
    """Louvain's communities of the region's network for the period; a community that is not
    flagged and has more than `split_above` members is split again by Louvain on its own
    subgraph, and so on: one pass over a region's year merges a club of four or five into a
    community of dozens of the trade's bidders, whose core the club is not."""
    graph: nx.Graph[str] = nx.Graph()
    bidders = {lot.uid: sorted({b.supplier for b in lot.priced}) for lot in lots}
    for suppliers in bidders.values():
        for a, b in combinations(suppliers, 2):
            weight = graph.get_edge_data(a, b, {"weight": 0})["weight"]
            graph.add_edge(a, b, weight=weight + 1)
    if graph.number_of_edges() == 0:
        return []
    found = []
    work = [graph]
    while work:
        network = work.pop()
        parts = nx.community.louvain_communities(
            network, weight="weight", resolution=settings.resolution, seed=settings.seed
        )
        for part in parts:
            community = _community(region, period, frozenset(part), lots, bidders, graph, settings)
            if community is not None:
                found.append(community)
            elif len(parts) > 1 and len(part) > settings.split_above:
                work.append(network.subgraph(part))
    return sorted(found, key=lambda c: c.members)


def _community(
    region: str,
    period: str,
    part: frozenset[str],
    lots: list[LotFacts],
    bidders: dict[str, list[str]],
    graph: nx.Graph[str],
    settings: Settings,
) -> Community | None:
    """The part's core as a community if it passes every threshold, else None."""
    together = [lot for lot in lots if len(part.intersection(bidders[lot.uid])) >= 2]
    # The core: members on at least a third of the community's lots (Louvain also attaches a
    # bidder met once).
    turnout = {m: sum(m in bidders[lot.uid] for lot in together) for m in part}
    members = frozenset(m for m, n in turnout.items() if n >= max(2, len(together) / 3))
    if len(members) < settings.min_members:
        return None
    together = [lot for lot in lots if len(members.intersection(bidders[lot.uid])) >= 2]
    if len(together) < settings.min_lots:
        return None
    inside = graph.subgraph(members).size(weight="weight")
    touching = sum(d for _, d in graph.degree(members, weight="weight")) - inside
    exclusivity = inside / touching if touching else 0.0
    cohesion = sum(len(members.intersection(bidders[lot.uid])) for lot in together) / (
        len(together) * len(members)
    )
    won = [lot.winner for lot in together if lot.winner in members]
    win_share = len(won) / len(together)
    if (
        cohesion < settings.min_cohesion
        or exclusivity < settings.min_exclusivity
        or win_share < settings.min_win_share
    ):
        return None
    return Community(
        region,
        period,
        tuple(sorted(members)),
        tuple(sorted(together, key=lambda lot: (lot.day, lot.uid))),
        cohesion,
        exclusivity,
        win_share,
        _price_cv(together, members),
        len(set(won)),
    )


def _price_cv(lots: Sequence[LotFacts], members: frozenset[str]) -> float:
    spreads = []
    for lot in lots:
        prices = [float(b.price) for b in lot.contenders if b.supplier in members]
        if len(prices) < 2:
            continue
        mean = sum(prices) / len(prices)
        sd = math.sqrt(sum((p - mean) ** 2 for p in prices) / (len(prices) - 1))
        spreads.append(sd / mean if mean else 0.0)
    return sum(spreads) / len(spreads) if spreads else 0.0


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    if facts.history is None:
        return
    history = facts.history
    for c in communities(history.ordered, settings):
        if not facts.in_focus(c.members):
            continue
        yield timeline_finding(
            DETECTOR.id,
            c.members,
            settings.confidence * c.cohesion * c.exclusivity,
            f"{len(c.members)} bidders of region {c.region} in {c.period} bid together on "
            f"{len(c.lots)} lots (turnout {c.cohesion:.0%}, {c.exclusivity:.0%} of their "
            f"co-bidding among themselves) and won {c.win_share:.0%} of them",
            c.lots,
            facts={"region": c.region, "period": c.period, "lots": len(c.lots)},
            scores={
                "cohesion": round(c.cohesion, 4),
                "exclusivity": round(c.exclusivity, 4),
                "win_share": round(c.win_share, 4),
                "price_cv": round(c.price_cv, 4),
                "member_winners": c.winners,
            },
        )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """A co-bidding community: four or five firms of one trade and region that, within
    one year, turn out together on a string of lots that a leader wins (another member
    once): a club that shares the market, neither taking turns nor covering just above
    the winner (so not a rotation or cover ring)."""
    rng = m.rng
    ring = m.ring(rng.choice((4, 5)))
    year = rng.randint(START.year + 1, END.year - 1)
    days = sorted(m.day(date(year, 1, 5), date(year, 12, 20)) for _ in range(7))
    second = rng.randrange(len(days))
    for n, day in enumerate(days):
        lot = m.project_lot(ring[0].category, day, m.local_buyer(ring[0].region))
        lot.planted = True
        winner = ring[1] if n == second else ring[0]
        others = [o for o in ring if o is not winner]
        bidders = [winner, *rng.sample(others, len(others) - rng.choice((0, 1)))]
        base = m.lead(lot, winner, 0.9, 0.96)
        m.above(lot, bidders[1:], base, 1.07, 1.2)
        m.above(lot, m.draw(lot, rng.choice((0, 1)), ring), base, 1.1, 1.25)
    m.record(DETECTOR.id, None, ring)


# pragma: no mutate end


DETECTOR = Detector(
    id="COBIDDING_COMMUNITY",
    order=200,
    title="A co-bidding community that bids together and keeps the wins",
    basis=basis.ART74,
    reads=frozenset({Reads.HISTORY}),
    phases=frozenset({Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.HISTORY, plant),),
)
