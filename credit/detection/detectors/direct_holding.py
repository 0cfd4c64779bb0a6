"""DIRECT_HOLDING: one bidder of a lot holds (more than half), controls or manages another
(Implementing Regulations Art. 18 para 1).

Why it signals collusion: a parent decides its subsidiary's bid, so two bids from a parent
and the company it holds are one bid in two envelopes. Implementing Regulations Art. 18 bars
suppliers with a direct holding or management relationship from the same lot. A stake of
half or less is not a direct holding by itself (Company Law Art. 265: more than 50%) and is
not flagged; a stake of unrecorded size is left to the eligibility check's review. The rule is
credit.standing.participation's; a confirmed flag drafts the declaration that the bids are invalid.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from credit.detection import basis
from credit.detection.detector import Detector, Phase, Reads
from credit.detection.detectors._shared import HoldingSettings, conflict_detect
from credit.detection.planting import START, Plant, Planting, Tie, Wave, cents


class Settings(HoldingSettings):
    confidence: float = 0.95


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """A majority owner that also controls or manages the company, then both bid."""
    a, b = m.pair()
    since = m.day(START, date(2024, 6, 30))
    share = cents(m.rng.choice(("0.51", "0.6", "0.8", "1")))
    m.tie(Tie("OWNS", a, b, since, share=share))
    m.tie(Tie(m.rng.choice(("CONTROLS", "MANAGES")), a, b, since))
    m.meet([a, b], m.day(since + timedelta(days=1)))


def near_miss(m: Planting) -> None:
    """A minority stake is not a direct holding."""
    e, g = m.pair()
    m.tie(Tie("OWNS", e, g, START, share=Decimal("0.2")))
    m.meet([e, g])


# pragma: no mutate end


DETECTOR = Detector(
    id="DIRECT_HOLDING",
    order=20,
    title="One bidder holds or manages another",
    basis=basis.ART18_INVALID,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=conflict_detect(
        "DIRECT_HOLDING",
        "DIRECT_HOLDING_OR_MANAGEMENT",
        "a direct holding or management relationship",
        key=lambda c: [f"{t.source}>{t.target}" for t in c.ties],
    ),
    why=__doc__ or "",
    violation=None,
    invalid_bid=True,
    plants=(Plant(Wave.CASES, plant), Plant(Wave.NEAR_MISSES, near_miss)),
)
