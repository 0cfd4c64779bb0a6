"""REGULAR_PRICE_DIFFERENCE: bid prices in arithmetic or geometric progression within a lot, or
two bidders that keep a fixed offset (difference or ratio) from one another across lots.

Why it signals collusion: independent bidders price from their own costs, so their prices do
not line up; a ring that sets the winner's price and places the others "step by step" above
it, or a cover bidder that always adds the same margin, leaves that regularity behind. Order
87 Art. 37 item 4 deems bids with regular price differences collusive. Prices line up by
chance too, more often when they are round and close together, so a progression is flagged
only when its accidental occurrence in a lot like this one is unlikely (`lot_max_chance`),
judged against the lot's own price spread and the rounding of each price involved (a ring's
prices are rounded too: term k = round(p0 * r^k) to the yuan is still a progression).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from credit.detection import basis
from credit.detection.common import granularity, lot_timeline, median, spread_scale
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import bids_finding
from credit.detection.facts import BidFact, Facts, History, LotFacts
from credit.detection.flags import Finding, finding
from credit.detection.planting import Bid, Plant, Planting, Wave, cents

# Density at zero, per standard deviation of the prices, of a - b (are two prices equal?) for
# independent prices.
DIFFERENCE = 1 / math.sqrt(2 * math.pi * 2)
_ARTICLE = {"arithmetic": "an", "geometric": "a"}


class Settings(DetectorSettings):
    confidence: float = 0.85
    min_terms: int = 3  # bids in a progression within one lot
    min_lots: int = 3  # lots in which a pair keeps the same offset
    tolerance: float = 1e-05  # slack beyond the prices' own rounding, relative to the step
    min_spread: float = 0.01  # floor of a lot's price spread, relative to its median price
    max_chance: float = 0.0001  # flag a fixed offset across lots arising by chance less often
    # flag a progression within a lot arising by chance less often than this; `credit evaluate`
    # shows what it costs: accidental flags per 100,000 lots of a market without collusion
    # lot_max_chance 0.001 finds rounded geometric progressions and exact 3-term arithmetic
    # ones in lots of 7-9 bids
    lot_max_chance: float = 0.001


@dataclass(frozen=True)
class Progression:
    mode: str  # arithmetic or geometric
    bids: tuple[BidFact, ...]
    step: str  # the difference, or the ratio
    chance: float


def _density(position: int) -> float:
    """Density at zero, per standard deviation of the prices, of the miss of term `position`
    from the line through terms 0 and 1: x_m + (m - 1) x_0 - m x_1 for independent prices
    (for m = 2, a + c - 2b)."""
    return 1 / math.sqrt(2 * math.pi * (1 + (position - 1) ** 2 + position**2))


def progressions(lot: LotFacts, settings: Settings) -> list[Progression]:
    """Unlikely progressions among a lot's bids, longest first, none inside another.

    Each term may carry its own rounding (term k = round(p0 * r^k) to the unit the prices
    show): a term is accepted when it lies within the error the rounding of it and of the
    two terms that fix the step can make, and the chance is that of a term landing as close
    as it does (the observed miss, at least one step of the price grid) by accident."""
    bids = list(lot.contenders)
    n = len(bids)
    if n < settings.min_terms:
        return []
    prices = [float(b.price) for b in bids]
    units = [float(granularity([b.price])) for b in bids]  # a set's unit is its finest
    found: list[Progression] = []
    scales = (
        ("arithmetic", prices, settings.min_spread * median(prices)),
        ("geometric", [math.log(p) if p > 0 else -math.inf for p in prices], settings.min_spread),
    )
    for mode, xs, floor in scales:
        if not all(math.isfinite(x) for x in xs):
            continue
        sigma = spread_scale(xs, floor)
        for i, j in combinations(range(n), 2):
            step = xs[j] - xs[i]
            if step <= 0:
                continue
            # the grid the prices were rounded to: the finer of the first two prices' units
            unit = min(units[i], units[j])
            grid = [unit if mode == "arithmetic" else unit / p for p in prices]
            slack = settings.tolerance * step
            chain, misses = _chain(xs, grid, i, j, step, slack)
            if len(chain) < settings.min_terms:
                continue
            chance = float(math.comb(n, len(chain)))
            for position, (k, miss) in enumerate(zip(chain[2:], misses, strict=True), start=2):
                window = max(2 * miss, grid[k])
                chance *= min(1.0, _density(position) * window / sigma)
            if chance <= settings.lot_max_chance:
                found.append(
                    Progression(
                        mode, tuple(bids[c] for c in chain), _step(mode, bids, i, j), chance
                    )
                )
    found.sort(key=lambda p: (-len(p.bids), p.chance, p.mode))
    kept: list[Progression] = []
    for p in found:
        members = {b.uid for b in p.bids}
        if not any(members <= {b.uid for b in k.bids} for k in kept):
            kept.append(p)
    return kept


def _chain(
    xs: Sequence[float], grid: Sequence[float], i: int, j: int, step: float, slack: float
) -> tuple[list[int], list[float]]:
    """Extend i, j term by term: term m is due at xs[i] + m * step, and may miss it by the
    rounding of itself and of the two terms that fix the line (half a grid step each, the
    latter weighted by how far the line is carried), and a hair of slack. `xs` ascends (the
    contenders cheapest first), so candidates are found by bisection. Returns the chain and
    each later term's miss."""
    chain: list[int] = [i, j]
    misses: list[float] = []
    half_i, half_j = grid[i] / 2, grid[j] / 2
    while True:
        position = len(chain)
        target = xs[i] + position * step
        reach = (position - 1) * half_i + position * half_j + slack
        best, best_miss = -1, math.inf
        lo = bisect_left(xs, target - reach - max(grid), chain[-1] + 1)
        for k in range(lo, len(xs)):
            if xs[k] > target + reach + max(grid):
                break
            miss = abs(xs[k] - target)
            if miss <= reach + grid[k] / 2 and miss < best_miss:
                best, best_miss = k, miss
        if best < 0 or not _consistent(xs, grid, [*chain, best], slack):
            return chain, misses
        chain.append(best)
        misses.append(best_miss)


def _consistent(xs: Sequence[float], grid: Sequence[float], chain: list[int], slack: float) -> bool:
    """Whether one progression passes within half a grid step of every term: by Helly's
    theorem (the admissible lines through a term form a strip of the plane), it is enough that
    every three terms admit one, and it is enough to check the triples with the new term."""
    last = len(chain) - 1
    c = chain[last]
    for a_pos, b_pos in combinations(range(last), 2):
        a, b = chain[a_pos], chain[b_pos]
        t = (last - a_pos) / (b_pos - a_pos)
        centre = xs[a] + t * (xs[b] - xs[a])
        half = abs(1 - t) * grid[a] / 2 + abs(t) * grid[b] / 2 + grid[c] / 2 + slack
        if abs(xs[c] - centre) > half:
            return False
    return True


def _step(mode: str, bids: Sequence[BidFact], i: int, j: int) -> str:
    if mode == "arithmetic":
        return str(bids[j].price - bids[i].price)
    return f"{float(bids[j].price / bids[i].price):.6f}"


def _in_lot(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:
        for p in progressions(lot, settings):
            yield bids_finding(
                DETECTOR.id,
                lot,
                p.bids,
                settings.confidence * (1 - p.chance),
                f"{len(p.bids)} bids of lot {lot.key} form {_ARTICLE[p.mode]} {p.mode} "
                f"progression (step {p.step})",
                facts={
                    "mode": p.mode,
                    "step": p.step,
                    "prices": [str(b.price) for b in p.bids],
                },
                scores={"chance": p.chance},
            )


@dataclass(frozen=True)
class _Offset:
    suppliers: tuple[str, str]
    mode: str
    value: str
    lots: tuple[str, ...]
    chance: float


def _offsets(history: History, facts: Facts, settings: Settings) -> Iterator[_Offset]:
    joint: dict[tuple[str, str], list[tuple[LotFacts, Decimal, Decimal]]] = defaultdict(list)
    for lot in history.ordered:
        # a price of 0 is a bid published without its price (real Armenian releases), not an
        # offset: against it every price keeps the "ratio" 0
        bids = [b for b in list(lot.contenders) if b.price > 0 and facts.in_focus([b.supplier])]
        for x, y in combinations(sorted(bids, key=lambda b: b.supplier), 2):
            joint[(x.supplier, y.supplier)].append((lot, x.price, y.price))
    for pair, rows in sorted(joint.items()):
        if len(rows) < settings.min_lots:
            continue
        for mode in ("difference", "ratio"):
            best = _cluster(rows, mode, settings)
            if best is not None:
                yield _Offset(pair, mode, best[0], tuple(lot.uid for lot, _, _ in best[1]), best[2])


def _cluster(
    rows: list[tuple[LotFacts, Decimal, Decimal]], mode: str, settings: Settings
) -> tuple[str, list[tuple[LotFacts, Decimal, Decimal]], float] | None:
    """The largest set of lots in which the pair kept the same offset, if it is unlikely."""
    ratio = mode == "ratio"
    values = [(float(b / a) if a else math.nan) if ratio else float(b - a) for _, a, b in rows]
    best: tuple[str, list[tuple[LotFacts, Decimal, Decimal]], float] | None = None
    for (_, a0, b0), v in zip(rows, values, strict=True):
        size = abs(v - 1) if ratio else abs(v)
        if not size > 0:  # no offset (or no ratio to a zero price)
            continue
        half_unit = float(granularity([a0, b0])) / 2
        tol = max(settings.tolerance * size, half_unit / float(a0) if ratio else half_unit)
        members = [row for row, w in zip(rows, values, strict=True) if abs(w - v) <= tol]
        if len(members) < settings.min_lots:
            continue
        chance = float(math.comb(len(rows), len(members)))
        for lot, a, b in members[1:]:
            prices = [float(x.price) for x in list(lot.contenders)]
            unit = float(granularity([a, b]))
            if ratio:
                sigma = spread_scale([math.log(p) for p in prices if p > 0], settings.min_spread)
                window = max(2 * tol, unit / float(a))
            else:
                sigma = spread_scale(prices, settings.min_spread * median(prices))
                window = max(2 * tol, unit)
            chance *= min(1.0, DIFFERENCE * window / sigma)
        if chance <= settings.max_chance and (best is None or chance < best[2]):
            best = (f"{v:.6f}" if ratio else f"{v:.2f}", members, chance)
    return best


def _over_history(facts: Facts, settings: Settings) -> Iterator[Finding]:
    if facts.history is None:
        return
    history = facts.history
    groups: dict[tuple[str, ...], list[_Offset]] = defaultdict(list)
    for offset in _offsets(history, facts, settings):
        groups[offset.lots].append(offset)
    for lots, offsets in sorted(groups.items()):
        suppliers = sorted({s for o in offsets for s in o.suppliers})
        nodes, edges = lot_timeline(history.of(lots), suppliers)
        first = offsets[0]
        yield finding(
            DETECTOR.id,
            None,
            suppliers,
            settings.confidence * (1 - max(o.chance for o in offsets)),
            f"{len(suppliers)} bidders keep a fixed price {first.mode} ({first.value}) from one "
            f"another in {len(lots)} lots",
            lots=lots,
            nodes=nodes,
            edges=edges,
            facts={
                "offsets": [
                    {"suppliers": list(o.suppliers), "mode": o.mode, "value": o.value}
                    for o in offsets
                ],
            },
            scores={"chance": max(o.chance for o in offsets)},
        )


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    yield from _in_lot(facts, settings)
    yield from _over_history(facts, settings)


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def _progression(m: Planting) -> None:
    """A ring places its bids step by step above the winner (Order 87 Art. 37 item 4): a
    fixed step, or a fixed ratio with each price rounded to the cent or to the yuan
    (term k = round(p0 * r^k)), or three bids in arithmetic progression in a crowded lot
    of 7 to 9 bidders."""
    rng = m.rng
    a, b = m.pair()
    variant = rng.random()
    crowded = variant >= 0.8
    extra = 1 if crowded else rng.choice((1, 1, 2, 3))
    lot = m.meet([a, b])
    ring = [a, b, *m.draw(lot, extra, [a, b])]
    lot.bids = [x for x in lot.bids if x.supplier not in ring]
    if crowded:  # others to make 7 to 9 bidders
        short = rng.randint(7, 9) - len(ring) - len(lot.bids)
        m.compete(lot, m.draw(lot, max(0, short), ring))
        for bid in lot.bids:
            bid.status = "VALID"
    base = cents(float(lot.budget) * rng.uniform(0.86, 0.94))
    if base % 10 == 0:
        base += rng.randint(1, 9)
    if variant < 0.35:
        step = cents(round(float(base) * rng.uniform(0.006, 0.02), -2))
        prices = [base + step * k for k in range(len(ring))]
    elif variant < 0.55:
        ratio = Decimal(str(round(rng.uniform(1.006, 1.02), 3)))
        prices = [cents(base * ratio**k) for k in range(len(ring))]
    elif not crowded:  # each term rounded to the whole yuan
        r = rng.uniform(1.01, 1.05)
        prices = [cents(round(float(base) * r**k)) for k in range(len(ring))]
    else:  # an exact step to the yuan
        base = cents(round(float(base)))
        step = cents(round(float(base) * rng.uniform(0.005, 0.03)))
        prices = [base + step * k for k in range(len(ring))]
    rng.shuffle(ring)
    lot.bids += [Bid(org, p) for org, p in zip(ring, prices, strict=True)]
    m.record(DETECTOR.id, lot, ring)


def _fixed_offset(m: Planting) -> None:
    """A cover bidder that always adds the same margin to its partner's price."""
    rng = m.rng
    a, b = m.pair()
    budget = cents(round(10 ** rng.uniform(5.3, 7), -3))
    margin = Decimal(str(round(rng.uniform(0.02, 0.06), 3)))
    offset = cents(round(float(budget * margin), -2))
    ratio = rng.random() < 0.5
    for _ in range(rng.randint(3, 4)):
        lot = m.meet([a, b], budget=cents(round(float(budget) * rng.uniform(0.8, 1.25), -3)))
        mine = next(x for x in lot.bids if x.supplier is a)
        other = next(x for x in lot.bids if x.supplier is b)
        mine.price = m.price(lot.budget)
        other.price = cents(mine.price * (1 + margin)) if ratio else mine.price + offset
        if lot.winner() is a:  # a fixed margin, not a designated winner: someone undercuts
            rival = next(x for x in lot.bids if x.supplier not in (a, b))
            rival.price = cents(mine.price * Decimal("0.98"))
    m.record(DETECTOR.id, None, (a, b))


def plant(m: Planting) -> None:
    _progression(m)
    _fixed_offset(m)


# pragma: no mutate end


DETECTOR = Detector(
    id="REGULAR_PRICE_DIFFERENCE",
    order=110,
    title="Bid prices with regular differences",
    basis=basis.ART37_4,
    reads=frozenset({Reads.LOTS, Reads.HISTORY}),
    phases=frozenset({Phase.LOT, Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.CASES, plant),),
)
