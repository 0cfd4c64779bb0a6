"""SAME_AGENT: different bidders entrust the same unit or person with their bidding matters.

Why it signals collusion: an agent acting for several bidders of one lot knows and can steer
all their offers, so the bids are no longer independent. Order 87 Art. 37 item 2 deems such
bids collusive.
"""

from __future__ import annotations

from credit.detection import basis
from credit.detection.common import shared_identifier
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.planting import Plant, Wave, lead_staff, shared_bids


class Settings(DetectorSettings):
    confidence: float = 0.85


DETECTOR = Detector(
    id="SAME_AGENT",
    order=50,
    title="Bidders entrust the same agent",
    basis=basis.ART37_2,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=shared_identifier("SAME_AGENT", "AGENT", "the same bidding agent"),
    why=__doc__ or "",
    plants=(Plant(Wave.CASES, shared_bids("SAME_AGENT", lead_staff("agent"))),),
)
