"""EXPERT_CONFLICT: a reviewer of a lot who, towards one of its bidders, was an employee,
director, supervisor, controlling shareholder or actual controller within the 3 years before
the review, or is a close relative of its legal representative or responsible person.

Why it matters: a reviewer scores the bids; one tied to a bidder cannot judge it fairly, and
Implementing Regulations Art. 9 requires such a reviewer to withdraw. A tie that ended more
than 3 years before the review is no longer a ground and is not flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from credit.detection import basis, planting
from credit.detection.common import years_before
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts, Tie
from credit.detection.flags import Edge, Finding, combined, finding
from credit.detection.planting import Plant, Planting, Wave
from credit.domain.records import ViolationCategory


class Settings(DetectorSettings):
    confidence: float = 0.95
    lookback_years: int = 3
    relations: tuple[str, ...] = (
        "EMPLOYED_BY",
        "WORKS_FOR",
        "DIRECTOR_OF",
        "SUPERVISOR_OF",
        "OWNS",
        "CONTROLS",
        "LEGAL_REP_OF",
        "RESPONSIBLE_FOR",
    )  # the reviewer's ties to a bidder that are grounds
    min_share: float = 0.5  # an OWNS tie makes a controlling shareholder above this share
    kinships: tuple[str, ...] = (
        "SPOUSE",
        "PARENT",
        "CHILD",
        "GRANDPARENT",
        "GRANDCHILD",
        "SIBLING",
        "COLLATERAL_THIRD_DEGREE",
        "IN_LAW",
    )
    kin_confidence: float = 0.9


_WORDS = {
    "EMPLOYED_BY": "an employee",
    "WORKS_FOR": "an employee",
    "DIRECTOR_OF": "a director",
    "SUPERVISOR_OF": "a supervisor",
    "OWNS": "a controlling shareholder",
    "CONTROLS": "the actual controller",
    "LEGAL_REP_OF": "the legal representative",
    "RESPONSIBLE_FOR": "the responsible person",
}


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:
        for review in lot.reviews:
            day = review.reviewed_on
            since = years_before(day, settings.lookback_years)
            for supplier in lot.suppliers:
                ties = [
                    t
                    for t in facts.ties.get(supplier, ())
                    if t.source == review.expert
                    and t.type in settings.relations
                    and t.overlaps(since, day)
                    and (t.type != "OWNS" or (t.share or 0) > settings.min_share)
                ]
                heads = {
                    t.source: t
                    for t in facts.ties_of(supplier, day)
                    if t.person and t.type in ("LEGAL_REP_OF", "RESPONSIBLE_FOR")
                }
                kin = [
                    k
                    for k in facts.kin.get(review.expert, ())
                    if k.relative in heads and k.kinship in settings.kinships
                ]
                if not ties and not kin:
                    continue
                grounds = sorted({_WORDS.get(t.type, t.type) for t in ties})
                if kin:
                    grounds.append("a close relative of its legal representative")
                edges = [Edge("REVIEWED", review.expert, lot.uid)]
                edges += [Edge(t.type, t.source, t.target, _period(t)) for t in ties]
                for k in kin:
                    other = k.relative if k.source == review.expert else review.expert
                    edges.append(Edge("RELATIVE_OF", k.source, other, {"kinship": k.kinship}))
                    head = heads[k.relative]
                    edges.append(Edge(head.type, head.source, head.target))
                yield finding(
                    DETECTOR.id,
                    lot.uid,
                    [supplier],
                    combined(
                        [settings.confidence] * bool(ties) + [settings.kin_confidence] * bool(kin)
                    ),
                    f"a reviewer of lot {lot.key} is or was {', '.join(grounds)} of a bidder "
                    f"within {settings.lookback_years} years of the review",
                    others=[review.expert],
                    nodes=[k.relative for k in kin],
                    edges=edges,
                    facts={"reviewed_on": day, "grounds": grounds},
                )


def _period(tie: Tie) -> dict[str, str]:
    period = {"valid_from": tie.valid_from, "valid_to": tie.valid_to}
    return {k: v.isoformat() for k, v in period.items() if v is not None}


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
_KIN = ("SPOUSE", "SIBLING", "PARENT", "IN_LAW", "COLLATERAL_THIRD_DEGREE")


def plant(m: Planting) -> None:
    """A reviewer on the panel of a lot one of whose bidders it is tied to."""
    rng = m.rng
    lot = m.free_lot()
    supplier = rng.choice(lot.bids).supplier
    expert = m.reviewer(lot)
    kind = rng.choice(("EMPLOYED_BY", "EMPLOYED_BY", "DIRECTOR_OF", "SUPERVISOR_OF", "OWNS", "KIN"))
    if kind == "KIN":
        m.kin.append((expert, m.rep_of(supplier, lot.day), rng.choice(_KIN)))
        return
    ended = lot.day - timedelta(days=rng.randint(30, 3 * 365 - 30)) if rng.random() < 0.6 else None
    start = (ended or lot.day) - timedelta(days=rng.randint(400, 2000))
    share = Decimal("0.6") if kind == "OWNS" else None
    m.tie(planting.Tie(kind, expert, supplier, start, ended, share))


def near_miss(m: Planting) -> None:
    """An employment that ended more than 3 years before the review."""
    rng = m.rng
    lot = m.free_lot()
    expert = m.reviewer(lot)
    ended = lot.day - timedelta(days=rng.randint(3 * 365 + 10, 5 * 365))
    supplier = rng.choice(lot.bids).supplier
    m.tie(planting.Tie("EMPLOYED_BY", expert, supplier, ended - timedelta(days=900), ended))


# pragma: no mutate end


DETECTOR = Detector(
    id="EXPERT_CONFLICT",
    order=140,
    title="A reviewer tied to a bidder",
    basis=basis.ART9,
    reads=frozenset({Reads.LOTS, Reads.TIES, Reads.REVIEWS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    violation=ViolationCategory.EXPERT_FAILED_RECUSAL,
    plants=(
        # after the rings, where it has always planted: the seeds keep their markets
        Plant(Wave.CASES, plant, order=165),
        Plant(Wave.NEAR_MISSES, near_miss),
    ),
)
