"""SAME_PREPARER: bid documents of different bidders prepared by the same unit or person.

Why it signals collusion: whoever writes several bids sees every price and can place them as
the ring agreed; independent bidders prepare their own documents. Order 87 Art. 37 item 1
deems such bids collusive.
"""

from __future__ import annotations

from credit.detection import basis
from credit.detection.common import shared_identifier
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.planting import Plant, Wave, lead_staff, shared_bids


class Settings(DetectorSettings):
    confidence: float = 0.9


DETECTOR = Detector(
    id="SAME_PREPARER",
    order=40,
    title="Bid documents prepared by the same unit or person",
    basis=basis.ART37_1,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=shared_identifier("SAME_PREPARER", "PREPARED_BY", "the same preparer"),
    why=__doc__ or "",
    plants=(Plant(Wave.CASES, shared_bids("SAME_PREPARER", lead_staff("preparer"))),),
)
