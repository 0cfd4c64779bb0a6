"""SAME_DEPOSIT_ACCOUNT: bid deposits of different bidders paid from the same account, or one
bidder's deposit paid from an account another bidder holds.

Why it signals collusion: whoever pays the deposits finances the bids and controls them;
independent bidders pay from their own accounts. Order 87 Art. 37 item 6 deems such bids
collusive.
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
                identifier_mark(bid, i, "the same deposit account", settings.confidence)
                for i in bid.identifiers
                if i.rel == "DEPOSIT_FROM"
            ),
        )


DETECTOR = Detector(
    id="SAME_DEPOSIT_ACCOUNT",
    title="Deposits paid from the same account",
    basis=basis.ART37_6,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=DetectorSettings,
    detect=detect,
    why=__doc__ or "",
)
