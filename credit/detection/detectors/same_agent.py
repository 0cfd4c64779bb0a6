"""SAME_AGENT: different bidders entrust the same unit or person with their bidding matters.

Why it signals collusion: an agent acting for several bidders of one lot knows and can steer
all their offers, so the bids are no longer independent. Order 87 Art. 37 item 2 deems such
bids collusive.
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
                identifier_mark(bid, i, "the same bidding agent", settings.confidence)
                for i in bid.identifiers
                if i.rel == "AGENT"
            ),
        )


DETECTOR = Detector(
    id="SAME_AGENT",
    title="Bidders entrust the same agent",
    basis=basis.ART37_2,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=DetectorSettings,
    detect=detect,
    why=__doc__ or "",
)
