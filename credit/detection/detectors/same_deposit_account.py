"""SAME_DEPOSIT_ACCOUNT: bid deposits of different bidders paid from the same account, or one
bidder's deposit paid from an account another bidder holds.

Why it signals collusion: whoever pays the deposits finances the bids and controls them;
independent bidders pay from their own accounts. Order 87 Art. 37 item 6 deems such bids
collusive.
"""

from __future__ import annotations

from credit.detection import basis
from credit.detection.common import shared_identifier
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads

DETECTOR = Detector(
    id="SAME_DEPOSIT_ACCOUNT",
    title="Deposits paid from the same account",
    basis=basis.ART37_6,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=DetectorSettings,
    detect=shared_identifier("SAME_DEPOSIT_ACCOUNT", "DEPOSIT_FROM", "the same deposit account"),
    why=__doc__ or "",
)
