"""SAME_CONTROLLER: bidders of one lot with the same responsible person or legal
representative (Implementing Regulations Art. 18 para 1).

Why it signals collusion: one person then decides every price those "competitors" submit, so
the purchaser sees several bids but only one will. Implementing Regulations Art. 18 therefore
bars such suppliers from the same lot outright, whatever their prices. Only ties in force on
the lot's bid date count: a legal representative who left before it is not a link, and a
person behind two companies that never bid for the same lot is not flagged here. A common
actual controller with different responsible persons is not Art. 18: COMMON_CONTROLLER flags
it. The rule is credit.standing.participation's, the same the eligibility checks apply; a confirmed
flag drafts the declaration that the bids are invalid, not a violation.
"""

from __future__ import annotations

from datetime import date, timedelta

from credit.detection import basis
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import conflict_detect
from credit.detection.planting import START, Plant, Planting, Tie, Wave


class Settings(DetectorSettings):
    confidence: float = 0.95


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """Two bidders' legal representative becomes one person, then they meet."""
    a, b = m.pair()
    since = m.day(START, date(2024, 6, 30))
    m.replace_rep(b, a.rep, since)
    m.meet([a, b], m.day(since + timedelta(days=1)))


def near_misses(m: Planting) -> None:
    """One person behind two companies of different trades (they never meet), and a legal
    representative who left before the two companies met."""
    a = m.rng.choice(m.suppliers)
    other = m.rng.choice([o for o in m.suppliers if o.category != a.category])
    m.tie(Tie("LEGAL_REP_OF", a.rep, other, valid_from=START))
    c, d = m.pair()
    left = m.day(START, date(2023, 6, 30))
    m.tie(Tie("LEGAL_REP_OF", c.rep, d, left - timedelta(days=800), left))
    m.meet([c, d], m.day(left + timedelta(days=30)))


# pragma: no mutate end


DETECTOR = Detector(
    id="SAME_CONTROLLER",
    order=10,
    title="Bidders with the same responsible person or legal representative",
    basis=basis.ART18_INVALID,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=conflict_detect(
        "SAME_CONTROLLER",
        "SAME_RESPONSIBLE_PERSON",
        "the same legal representative or responsible person",
        key=lambda c: list(c.via),
    ),
    why=__doc__ or "",
    violation=None,
    invalid_bid=True,
    plants=(Plant(Wave.CASES, plant), Plant(Wave.NEAR_MISSES, near_misses)),
)
