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

from collections.abc import Iterator

from credit.detection import art18, basis
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts
from credit.detection.flags import Finding


def detect(facts: Facts, settings: DetectorSettings) -> Iterator[Finding]:
    for lot in facts.lots:
        yield from art18.findings(
            DETECTOR.id,
            lot,
            art18.lot_conflicts(facts, lot),
            "SAME_RESPONSIBLE_PERSON",
            settings.confidence,
            "the same legal representative or responsible person",
            key=lambda c: list(c.via),
        )


class Settings(DetectorSettings):
    confidence: float = 0.95


DETECTOR = Detector(
    id="SAME_CONTROLLER",
    order=10,
    title="Bidders with the same responsible person or legal representative",
    basis=basis.ART18_INVALID,
    reads=frozenset({Reads.LOTS, Reads.TIES}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    violation=None,
    invalid_bid=True,
)
