"""SAME_PREPARER: bid documents of different bidders prepared by the same unit or person.

Why it signals collusion: whoever writes several bids sees every price and can place them as
the ring agreed; independent bidders prepare their own documents. Order 87 Art. 37 item 1
deems such bids collusive.
"""

from __future__ import annotations

from collections.abc import Iterator

from credit.detection import basis
from credit.detection.common import identifier_mark, shared_marks
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts
from credit.detection.flags import Finding


def detect(facts: Facts, settings: DetectorSettings) -> Iterator[Finding]:
    for lot in facts.lots:
        yield from shared_marks(
            DETECTOR.id,
            lot,
            lambda bid: (
                identifier_mark(bid, i, "the same preparer", settings.confidence)
                for i in bid.identifiers
                if i.rel == "PREPARED_BY"
            ),
        )


DETECTOR = Detector(
    id="SAME_PREPARER",
    title="Bid documents prepared by the same unit or person",
    basis=basis.ART37_1,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=DetectorSettings,
    detect=detect,
    why=__doc__ or "",
)
