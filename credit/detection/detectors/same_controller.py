"""SAME_CONTROLLER: bidders of one lot with the same legal representative, responsible person or
actual controller.

Why it signals collusion: one person then decides every price those "competitors" submit, so
the purchaser sees several bids but only one will. Implementing Regulations Art. 18 therefore
bars such suppliers from the same lot outright, whatever their prices. Only ties in force on
the lot's bid date count: a legal representative who left before it is not a link, and a
person behind two companies that never bid for the same lot is not flagged here.
"""

from __future__ import annotations

from collections.abc import Iterator

from credit.detection import basis
from credit.detection.common import Mark, shared_marks
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import BidFact, Facts, LotFacts
from credit.detection.flags import Edge, Finding


class Settings(DetectorSettings):
    relations: tuple[str, ...]


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:

        def marks(bid: BidFact, lot: LotFacts = lot) -> Iterator[Mark]:
            for tie in facts.ties_of(bid.supplier, lot.day):
                if tie.person and tie.type in settings.relations:
                    yield Mark(
                        key=tie.source,
                        label="the same legal representative, responsible person or controller",
                        weight=settings.confidence,
                        nodes=(tie.source,),
                        edges=(Edge(tie.type, tie.source, tie.target),),
                    )

        yield from shared_marks(DETECTOR.id, lot, marks)


DETECTOR = Detector(
    id="SAME_CONTROLLER",
    title="Bidders with the same responsible person or legal representative",
    basis=basis.ART18,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
)
