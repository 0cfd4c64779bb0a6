"""STAFF_CROSSOVER: a bid's preparer, agent, contact or project-team member works for, or is
the legal representative or responsible person of, another bidder of the same lot (or the
preparer or agent is that other bidder itself).

Why it signals collusion: a competitor's employee or head writing, handling or staffing a bid
means the competitor prepared or controls it; the two bids are not independent. Order 87
Art. 37 items 1 to 3 deem bids prepared by, entrusted to, or naming as project manager or
contact the same unit or person collusive, and a unit acts through its staff. Only ties in
force on the lot's day count; a person working for the bidder whose bid names them is normal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from credit.detection import basis
from credit.detection.common import bid_edges
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Edge, Finding, finding
from credit.detection.planting import Plant, Planting, Tie, Wave


class Settings(DetectorSettings):
    confidence: float = 0.85
    relations: tuple[str, ...] = (
        "EMPLOYED_BY",
        "LEGAL_REP_OF",
        "RESPONSIBLE_FOR",
    )  # the ties of a person to the other bidder that count


_ROLES = {"PREPARED_BY": "preparer", "AGENT": "agent", "CONTACT": "contact"}
_TEAM = "TEAM_MEMBER"


def _role(rel: str, kind: str | None) -> str | None:
    if rel == _TEAM:
        return (kind or "member").lower().replace("_", " ")
    return _ROLES.get(rel)


def _lot(lot: LotFacts, facts: Facts, settings: Settings) -> Iterator[Finding]:
    wanted = set(settings.relations)
    # person -> [(other bidder, tie type)] for the lot's bidders, in force on the lot's day
    works_for: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for bidder in lot.suppliers:
        for tie in facts.ties_of(bidder, lot.day):
            if tie.person and tie.type in wanted:
                works_for[tie.source].append((bidder, tie.type))
    bidders = set(lot.suppliers)
    # (bid's supplier, other bidder, person or "") -> roles, edges
    found: dict[tuple[str, str, str], tuple[set[str], list[Edge]]] = {}
    bids_of: dict[str, list[str]] = defaultdict(list)
    for bid in lot.bids:
        bids_of[bid.supplier].append(bid.uid)
        for ident in bid.identifiers:
            role = _role(ident.rel, ident.kind)
            if role is None:
                continue
            link = Edge(ident.rel, bid.uid, ident.uid, {"role": role})
            if ident.uid in bidders and ident.uid != bid.supplier:  # a competitor did it
                roles, edges = found.setdefault((bid.supplier, ident.uid, ""), (set(), []))
                roles.add(role)
                edges.append(link)
            for other, kind in works_for.get(ident.uid, ()):
                if other == bid.supplier:
                    continue
                roles, edges = found.setdefault((bid.supplier, other, ident.uid), (set(), []))
                roles.add(role)
                edges += [link, Edge(kind, ident.uid, other)]
    for (mine, other, person), (roles, edges) in sorted(found.items()):
        bids = [b for b in lot.bids if b.supplier in (mine, other)]
        via = " and ".join(sorted(roles))
        who = "someone who works for another bidder" if person else "another bidder"
        yield finding(
            DETECTOR.id,
            lot.uid,
            (mine, other),
            settings.confidence,
            f"a bid of lot {lot.key} names as its {via} {who} of the lot",
            others=(person,) if person else (),
            nodes=[*([person] if person else []), *(b.uid for b in bids)],
            edges=[*edges, *bid_edges(lot, bids)],
            facts={"roles": sorted(roles), "bidder": mine, "other_bidder": other},
        )


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:
        yield from _lot(lot, facts, settings)


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """A bidder's project manager or preparer is another bidder's staff member or legal
    representative (Order 87 Art. 37 items 1-3); near-misses: a project team of the bidders'
    own staff, and a former employee. The market derives the truth, so crossovers other
    plants make count too."""
    rng = m.rng
    lot = m.free_lot()
    a, b = rng.sample(lot.bids, 2)
    a.status = b.status = "VALID"
    if rng.random() < 0.5:
        manager = {"person": b.supplier.staff.id_number}
        a.extra["team"] = [{"role": "PROJECT_MANAGER", "person": manager}]
    else:
        a.extra["preparer"] = {"person": b.supplier.rep.id_number}
    lot = m.free_lot()
    for bid in lot.bids:
        own = {"person": bid.supplier.staff.id_number}
        bid.extra["team"] = [{"role": "PROJECT_MANAGER", "person": own}]
    c, d = rng.sample(lot.bids, 2)
    former = m.person()
    left = lot.day - timedelta(days=rng.randint(60, 900))
    hired = left - timedelta(days=900)
    m.tie(Tie("EMPLOYED_BY", former, d.supplier, hired, left))
    c.extra["team"] = [
        *c.extra["team"],
        {"role": "TECHNICAL_LEAD", "person": {"person": former.id_number}},
    ]


# pragma: no mutate end


DETECTOR = Detector(
    id="STAFF_CROSSOVER",
    order=90,
    title="A bid's preparer, agent, contact or project team works for another bidder",
    basis=basis.STAFF,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.STAFF, plant),),
)
