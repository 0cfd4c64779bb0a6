"""Building blocks several detectors share: bids that point at the same thing, evidence edges
for bids and awards, and the small exact statistics the history detectors test against."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from credit.detection.detector import DetectorSettings
from credit.detection.facts import BidFact, Facts, History, Identifier, LotFacts
from credit.detection.flags import Edge, Finding, combined, finding


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --- evidence --------------------------------------------------------------------------------


def bid_edges(lot: LotFacts, bids: Iterable[BidFact]) -> list[Edge]:
    """supplier -SUBMITTED-> bid -FOR_LOT-> lot, with the price on the bid edge."""
    edges = []
    for bid in bids:
        edges.append(Edge("SUBMITTED", bid.supplier, bid.uid, {"price": str(bid.price)}))
        edges.append(Edge("FOR_LOT", bid.uid, lot.uid))
    return edges


def award_edges(lot: LotFacts) -> list[Edge]:
    if lot.award is None or lot.winner is None:
        return []
    return [Edge("AWARD_OF", lot.award, lot.uid), Edge("WON_BY", lot.award, lot.winner)]


def lot_timeline(
    lots: Sequence[LotFacts], suppliers: Iterable[str]
) -> tuple[list[str], list[Edge]]:
    """Nodes and edges showing, lot by lot, what the given suppliers bid and who won."""
    wanted = set(suppliers)
    nodes: list[str] = []
    edges: list[Edge] = []
    for lot in lots:
        bids = [b for b in lot.priced if b.supplier in wanted]
        nodes += [lot.uid, *(b.uid for b in bids)]
        edges += bid_edges(lot, bids)
        if lot.winner in wanted and lot.award:
            nodes.append(lot.award)
            edges += award_edges(lot)
    return nodes, edges


# --- bids that point at the same thing -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    """Something a bid carries that another bidder's bid should not: `key` names it, `nodes`
    and `edges` show it in the graph, `parties` are organisations it ties in besides the
    bidder carrying it (the holder of the account a deposit came from, a parent company)."""

    key: str
    label: str
    weight: float
    nodes: tuple[str, ...] = ()
    edges: tuple[Edge, ...] = ()
    parties: tuple[str, ...] = ()


def identifier_mark(bid: BidFact, ident: Identifier, label: str, weight: float) -> Mark:
    """The bid's edge to a shared identifier node; an account's holders are parties too."""
    return Mark(
        key=ident.uid,
        label=label,
        weight=weight,
        nodes=(ident.uid, *ident.holders),
        edges=(
            Edge(ident.rel, bid.uid, ident.uid),
            *(Edge("HOLDS_ACCOUNT", h, ident.uid) for h in ident.holders),
        ),
        parties=ident.holders,
    )


def shared_identifier(
    pattern: str, rel: str, label: str
) -> Callable[[Facts, DetectorSettings], Iterator[Finding]]:
    """A detector for bidders of one lot linked through one kind of identifier node (the same
    preparer, agent or deposit account): the patterns differ only in the edge they follow."""

    def detect(facts: Facts, settings: DetectorSettings) -> Iterator[Finding]:
        for lot in facts.lots:
            yield from shared_marks(
                pattern,
                lot,
                lambda bid: (
                    identifier_mark(bid, i, label, settings.confidence)
                    for i in bid.identifiers
                    if i.rel == rel
                ),
            )

    return detect


def shared_marks(
    pattern: str, lot: LotFacts, marks: Callable[[BidFact], Iterable[Mark]]
) -> Iterator[Finding]:
    """One finding per set of different bidders tied together by the same marks."""
    carriers: dict[str, list[tuple[BidFact, Mark]]] = defaultdict(list)
    for bid in lot.bids:
        for mark in marks(bid):
            carriers[mark.key].append((bid, mark))
    bidders = set(lot.suppliers)
    groups: dict[frozenset[str], list[list[tuple[BidFact, Mark]]]] = defaultdict(list)
    for found in carriers.values():
        parties = {p for _, mark in found for p in mark.parties if p in bidders}
        who = frozenset({bid.supplier for bid, _ in found} | parties)
        if len(who) >= 2:
            groups[who].append(found)
    for who, shared in sorted(groups.items(), key=lambda g: sorted(g[0])):
        nodes: list[str] = []
        edges: list[Edge] = []
        bids = {bid.uid: bid for found in shared for bid, _ in found}
        bids |= {b.uid: b for b in lot.bids if b.supplier in who}
        for found in shared:
            for _, mark in found:
                nodes += mark.nodes
                edges += mark.edges
        nodes += bids
        edges += bid_edges(lot, bids.values())
        first = [found[0][1] for found in shared]
        labels = "; ".join(sorted({m.label for m in first}))
        yield finding(
            pattern,
            lot.uid,
            who,
            combined(m.weight for m in first),
            f"{len(who)} bidders of lot {lot.key} share {labels}",
            nodes=nodes,
            edges=edges,
            facts={"shared": sorted(m.key for m in first)},
        )


# --- exact small-sample statistics -----------------------------------------------------------


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    return min(1.0, sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)))


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean); the far tail is summed directly, not as 1 - P(X < k),
    so tiny chances keep their digits."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if k > mean:
        term = math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))
        total, i = 0.0, k
        while term > total * 1e-15 and term > 1e-300:
            total += term
            i += 1
            term *= mean / i
        return min(1.0, total)
    term = below = math.exp(-mean)
    for i in range(1, k):
        term *= mean / i
        below += term
    return max(0.0, 1.0 - below)


def together_chance(history: History, group: Collection[str], joint: int) -> float:
    """Chance that the group's members bid for `joint` or more of the same lots if each chose
    its lots independently, at its own rate, within the market they share: the lots of their
    usual trade put out by the purchasers any of them bid with."""
    mine = {s: set(history.by_supplier.get(s, ())) for s in group}
    seen = [history.lots[u] for u in set().union(*mine.values())]
    if not seen:
        return 1.0
    category = Counter(lot.category for lot in seen).most_common(1)[0][0]
    purchasers = {lot.purchaser for lot in seen if lot.purchaser}
    size = history.market_size(category, purchasers)
    if size == 0:
        return 1.0
    expected = float(size)
    for lots in mine.values():
        inside = sum(
            1
            for u in lots
            if history.lots[u].category == category and history.lots[u].purchaser in purchasers
        )
        expected *= min(1.0, inside / size)
    return poisson_tail(joint, expected)


def poisson_binomial_tail(k: int, probabilities: Sequence[float]) -> float:
    """P(X >= k) for a sum of independent Bernoulli trials with the given probabilities."""
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for i, mass in enumerate(dist):
            nxt[i] += mass * (1 - p)
            nxt[i + 1] += mass * p
        dist = nxt
    return min(1.0, sum(dist[k:])) if k < len(dist) else 0.0


_UNITS = (Decimal(10000), Decimal(1000), Decimal(100), Decimal(10), Decimal(1))


def granularity(prices: Iterable[Decimal]) -> Decimal:
    """The coarsest unit all prices are whole multiples of (10 000 down to a cent). Each unit
    divides the ones above it, so that is the finest of the prices' own units."""
    return min((_unit(p) for p in prices), default=_UNITS[0])


@lru_cache(maxsize=65536)
def _unit(price: Decimal) -> Decimal:
    """One price's coarsest unit (cached: the pairwise screens ask for it again and again)."""
    for unit in _UNITS:
        if price % unit == 0:
            return unit
    return Decimal("0.01")


def spread_scale(values: Sequence[float], floor: float) -> float:
    """Standard deviation of a lot's prices (or log prices), at least `floor`: the scale on
    which an accidental coincidence of prices is judged."""
    if len(values) < 2:
        return floor
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return max(sd, floor)


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
