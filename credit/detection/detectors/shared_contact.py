"""SHARED_CONTACT: the contact person (or the contact phone) named in different bids is the same.

Why it signals collusion: the purchaser's questions about several "competing" bids reach one
person, who evidently handles them all. Order 87 Art. 37 item 3 deems such bids collusive.
Companies that merely share a building (one address, different contacts) are not flagged: an
address is not a contact.
"""

from __future__ import annotations

from collections.abc import Iterator

from credit.detection import basis
from credit.detection.common import identifier_mark, shared_marks
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts
from credit.detection.flags import Finding


class Settings(DetectorSettings):
    phone_confidence: float  # a phone alone: a shared switchboard is likelier than a person


_LABELS = {"CONTACT": "the same contact person", "CONTACT_PHONE": "the same contact phone"}


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    weights = {"CONTACT": settings.confidence, "CONTACT_PHONE": settings.phone_confidence}
    for lot in facts.lots:
        yield from shared_marks(
            DETECTOR.id,
            lot,
            lambda bid: (
                identifier_mark(bid, i, _LABELS[i.rel], weights[i.rel])
                for i in bid.identifiers
                if i.rel in weights
            ),
        )


DETECTOR = Detector(
    id="SHARED_CONTACT",
    title="The same contact person or phone in different bids",
    basis=basis.ART37_3,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
)
