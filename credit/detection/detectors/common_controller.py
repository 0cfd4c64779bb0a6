"""COMMON_CONTROLLER: bidders of one lot with the same actual controller (a person or
company that controls, or holds more than half of, each) but different responsible persons.

Why it signals collusion: sister companies answer to one controller, who can have them bid in
concert; Implementing Regulations Art. 74 item 5 makes members of one group bidding on its
instruction malicious collusion. It is not Art. 18 para 1 (different responsible persons, no
holding between the bidders themselves), so it bars nobody: a lead for review under the
policy's own basis, and confirming it drafts nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from credit.detection import basis
from credit.detection.detector import Detector, Phase, Reads
from credit.detection.detectors._shared import HoldingSettings, conflict_detect
from credit.detection.planting import START, Plant, Planting, Tie, Wave


class Settings(HoldingSettings):  # an OWNS tie makes a controller above min_share
    confidence: float = 0.6


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """Sister companies: one person controls both, each keeps its own legal rep."""
    a, b = m.pair()
    owner = m.person()
    since = m.day(START, date(2024, 6, 30))
    m.tie(Tie("CONTROLS", owner, a, since))
    m.tie(Tie("CONTROLS", owner, b, since))
    m.meet([a, b], m.day(since + timedelta(days=1)))


# pragma: no mutate end


DETECTOR = Detector(
    id="COMMON_CONTROLLER",
    order=30,
    title="Bidders with a common actual controller",
    basis=basis.COMMON_CONTROLLER,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=conflict_detect(
        "COMMON_CONTROLLER",
        "COMMON_CONTROLLER",
        "the same actual controller (different responsible persons)",
        key=lambda c: list(c.via),
    ),
    why=__doc__ or "",
    violation=None,
    plants=(Plant(Wave.CASES, plant),),
)
