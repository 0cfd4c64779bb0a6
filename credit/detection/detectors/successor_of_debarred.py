"""SUCCESSOR_OF_DEBARRED: a new or active supplier run or controlled by the people (or company)
behind a supplier that is banned from government procurement.

Why it matters: a ban (Government Procurement Law Art. 77) is evaded when the same people
bid through another company, a new one or a sister one, while the ban lasts. A supplier is
flagged when a person or company that was behind the banned supplier when it was punished is
also behind it during the ban, and it was registered around the ban or bid while it lasted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from credit.detection import basis, planting
from credit.detection.common import lot_timeline
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts, SuccessorLink, Tie
from credit.detection.flags import Edge, Finding, finding
from credit.detection.planting import END, Plant, Planting, Wave
from credit.domain.records import ViolationCategory


class Settings(DetectorSettings):
    confidence: float = 0.85
    relations: tuple[str, ...] = ("LEGAL_REP_OF", "RESPONSIBLE_FOR", "CONTROLS", "OWNS")
    min_share: float = 0.5  # an OWNS tie counts above this share
    new_within_days: int = 365  # registered this long before the decision, or later, is "new"


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    links: defaultdict[tuple[str, str], list[SuccessorLink]] = defaultdict(list)
    for link in facts.successors:
        if facts.in_focus([link.successor]) and _behind_both(link, settings):
            links[(link.successor, link.banned)].append(link)
    for (successor, banned), found in sorted(links.items()):
        bans = sorted({(x.ban_start, x.ban_end) for x in found})
        history = facts.history
        theirs = history.of(history.by_supplier.get(successor, ())) if history else []
        lots = [
            lot
            for lot in theirs
            if any(start <= lot.day <= end for start, end in bans)
            and any(x.new_tie.in_force(lot.day) for x in found)
        ]
        first = found[0]
        new = first.registered_on is not None and any(
            x.decided_on - timedelta(days=settings.new_within_days)
            <= first.registered_on
            <= x.ban_end
            for x in found
        )
        if not lots and not new:
            continue
        nodes, edges = lot_timeline(lots, [successor])
        for x in found:
            nodes += [x.via, x.violation]
            edges += [
                _edge(x.new_tie),
                _edge(x.banned_tie),
                Edge("AGAINST", x.violation, banned),
            ]
        yield finding(
            DETECTOR.id,
            None,
            [successor],
            settings.confidence,
            f"a supplier {'registered around' if new else 'active during'} a procurement ban "
            f"is run or controlled by those behind the banned supplier"
            + (f"; it bid for {len(lots)} lot(s) while the ban lasted" if lots else ""),
            others=[banned],
            lots=[lot.uid for lot in lots],
            nodes=nodes,
            edges=edges,
            facts={
                "new": new,
                "bans": [[start, end] for start, end in bans],
                "violations": sorted({x.violation for x in found}),
            },
        )


def _behind_both(link: SuccessorLink, settings: Settings) -> bool:
    counts = all(
        t.type in settings.relations and (t.type != "OWNS" or (t.share or 0) > settings.min_share)
        for t in (link.new_tie, link.banned_tie)
    )
    return (
        counts
        and link.status != "OVERTURNED"
        and link.banned_tie.in_force(link.decided_on)
        and link.new_tie.overlaps(link.ban_start, link.ban_end)
    )


def _edge(tie: Tie) -> Edge:
    return Edge(tie.type, tie.source, tie.target)


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """A banned supplier's legal representative runs a new company during the ban."""
    rng = m.rng
    banned = rng.choice([o for o in m.suppliers if o.pooled])
    decided = m.day(date(2022, 1, 1), date(2025, 6, 30))
    m.ban(banned, decided)
    new = m.org(banned.category, banned.region, decided + timedelta(days=rng.randint(20, 200)))
    new.pooled = False
    m.supplier(new)
    m.replace_rep(new, m.rep_of(banned, decided), new.registered)
    last = min(decided + timedelta(days=700), END)
    for _ in range(rng.randint(1, 2)):
        m.meet([new], m.day(min(new.registered + timedelta(days=10), last), last))


def near_miss(m: Planting) -> None:
    """Someone who left a company a year before it was banned."""
    rng = m.rng
    banned = rng.choice(m.suppliers)
    decided = m.day(date(2022, 1, 1), date(2025, 6, 30))
    m.ban(banned, decided)
    person = m.person()
    left = decided - timedelta(days=365)
    m.tie(planting.Tie("LEGAL_REP_OF", person, banned, left - timedelta(days=900), left))
    sister = rng.choice([o for o in m.suppliers if o is not banned])
    m.tie(planting.Tie("RESPONSIBLE_FOR", person, sister, valid_from=left))


# pragma: no mutate end


DETECTOR = Detector(
    id="SUCCESSOR_OF_DEBARRED",
    order=190,
    title="A supplier run by the people behind a banned one",
    basis=basis.ART77_BAN,
    reads=frozenset({Reads.HISTORY, Reads.DEBARMENTS}),
    phases=frozenset({Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    violation=ViolationCategory.OTHER,
    plants=(Plant(Wave.HISTORY, plant), Plant(Wave.BANS, near_miss)),
)
