"""DIRECT_HOLDING: one bidder of a lot holds (a controlling share), controls or manages another.

Why it signals collusion: a parent decides its subsidiary's bid, so two bids from a parent
and the company it holds are one bid in two envelopes. Implementing Regulations Art. 18 bars
suppliers with a direct holding or management relationship from the same lot. A minority stake
is not a direct holding and is not flagged.
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
    min_share: float  # an OWNS tie counts above this share


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:

        def marks(bid: BidFact, lot: LotFacts = lot) -> Iterator[Mark]:
            for tie in facts.ties_of(bid.supplier, lot.day):
                holding = tie.type in settings.relations and not tie.person
                if holding and (tie.type != "OWNS" or (tie.share or 0) > settings.min_share):
                    yield Mark(
                        key=f"{tie.source}>{tie.target}",
                        label="a direct holding or management relationship",
                        weight=settings.confidence,
                        edges=(Edge(tie.type, tie.source, tie.target, _share(tie.share)),),
                        parties=(tie.source,),
                    )

        yield from shared_marks(DETECTOR.id, lot, marks)


def _share(share: float | None) -> dict[str, float]:
    return {} if share is None else {"share": share}


DETECTOR = Detector(
    id="DIRECT_HOLDING",
    title="One bidder holds or manages another",
    basis=basis.ART18,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
)
