"""BID_ROTATION: a closed group of suppliers that bid for the same lots and take turns winning.

Why it signals collusion: a ring that has agreed who wins each lot shows up together, wins
together and lets the win go round, so each member gets its share while the prices stay high
(Implementing Regulations Art. 74: agreeing in advance who wins). Busy competitors meet often
too, so a group is flagged only when, together, two things would happen by chance less often
than `max_chance`: its members bidding for that many of the same lots, given how often each
bids in the market they share, and the group winning that many of those lots, given how many
bidders each lot had. The group must also have won nearly all of them, every member in its
turn, no member taking more than `max_single_share` of the wins.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import combinations

from credit.detection import basis
from credit.detection.common import poisson_binomial_tail, together_chance
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import timeline_finding
from credit.detection.facts import Facts, History, LotFacts
from credit.detection.flags import Finding
from credit.detection.planting import Plant, Planting, Wave


class Settings(DetectorSettings):
    confidence: float = 0.8
    min_lots: int = 3  # lots with a winner for which every member bid
    max_size: int = 6  # the largest group considered
    min_win_share: float = 0.9  # of those lots, the share a member won
    max_single_share: float = 0.75  # no member takes more than this share of the group's wins
    # meeting and winning that often arises by chance less often than this
    max_chance: float = 0.00001


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    if facts.history is None:
        return
    history = facts.history
    lots_of = _decided_lots(history, facts)
    together: Counter[tuple[str, str]] = Counter()
    for lot in history.ordered:
        members = sorted(s for s in lot.ranks if s in lots_of and lot.uid in lots_of[s])
        together.update(combinations(members, 2))
    neighbours: dict[str, set[str]] = defaultdict(set)
    for (a, b), count in together.items():
        if count >= settings.min_lots:
            neighbours[a].add(b)
            neighbours[b].add(a)
    passing: dict[frozenset[str], Finding] = {}
    tried: set[frozenset[str]] = set()
    for clique in _cliques(neighbours):
        for size in range(min(len(clique), settings.max_size), 1, -1):
            for group in map(frozenset, combinations(sorted(clique), size)):
                if group in tried or any(group < known for known in passing):
                    continue
                tried.add(group)
                found = _evaluate(group, history, lots_of, settings)
                if found is not None:
                    passing[group] = found
    for group, found in sorted(passing.items(), key=lambda g: sorted(g[0])):
        if not any(group < other for other in passing):
            yield found


def _decided_lots(history: History, facts: Facts) -> dict[str, set[str]]:
    """Supplier -> lots with a known winner in which it made a priced bid (focus only)."""
    lots: dict[str, set[str]] = defaultdict(set)
    for lot in history.ordered:
        if lot.winner is None:
            continue
        for supplier in lot.ranks:
            if facts.in_focus([supplier]):
                lots[supplier].add(lot.uid)
    return lots


def _cliques(neighbours: dict[str, set[str]]) -> Iterator[set[str]]:
    """Maximal cliques (Bron-Kerbosch with pivoting)."""

    def expand(r: set[str], p: set[str], x: set[str]) -> Iterator[set[str]]:
        if not p and not x:
            yield r
            return
        pivot = max(p | x, key=lambda v: len(neighbours[v] & p))
        for v in sorted(p - neighbours[pivot]):
            yield from expand(r | {v}, p & neighbours[v], x & neighbours[v])
            p = p - {v}
            x = x | {v}

    yield from expand(set(), set(neighbours), set())


def _evaluate(
    group: frozenset[str],
    history: History,
    lots_of: dict[str, set[str]],
    settings: Settings,
) -> Finding | None:
    joint: list[LotFacts] = history.of(set.intersection(*(lots_of[s] for s in group)))
    if len(joint) < settings.min_lots:
        return None
    won = [lot for lot in joint if lot.winner in group]
    winners = Counter(lot.winner for lot in won)
    if (
        len(won) < settings.min_win_share * len(joint)
        or len(winners) < len(group)
        or max(winners.values()) > settings.max_single_share * len(won)
    ):
        return None  # not nearly all won, or not every member had its turn
    win_chance = poisson_binomial_tail(len(won), [len(group) / len(lot.ranks) for lot in joint])
    together = together_chance(history, group, len(joint))
    if win_chance * together > settings.max_chance:
        return None
    return timeline_finding(
        DETECTOR.id,
        group,
        settings.confidence,
        f"{len(group)} suppliers bid together for {len(joint)} lots, won {len(won)} of them "
        "and took turns winning them",
        joint,
        facts={
            "lots": len(joint),
            "won": len(won),
            "wins": {str(k): v for k, v in sorted(winners.items(), key=lambda w: str(w[0]))},
        },
        scores={
            "chance": win_chance * together,
            "win_chance": win_chance,
            "together_chance": together,
        },
    )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """A closed group that takes turns: the turn's winner bids, the others cover. Groups
    of 3 or 4: two firms taking turns over a handful of lots cannot be told from two
    strong rivals, by these detectors or by an investigator."""
    rng = m.rng
    ring = m.ring(rng.choice((3, 4)))
    lots = m.ring_lots(ring, rng.randint(4, 6))
    for i, lot in enumerate(lots):
        winner = ring[i % len(ring)]
        base = m.lead(lot, winner, 0.9, 0.96)
        m.above(lot, [o for o in ring if o is not winner], base, 1.01, 1.06)
        m.above(lot, m.draw(lot, rng.randint(1, 4), ring), base, 1.02, 1.15)
    m.record(DETECTOR.id, None, ring)
    m.rigged.extend(lots)


# pragma: no mutate end


DETECTOR = Detector(
    id="BID_ROTATION",
    order=150,
    title="A closed group of co-bidders taking turns winning",
    basis=basis.ART74,
    reads=frozenset({Reads.HISTORY}),
    phases=frozenset({Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.CASES, plant),),
)
