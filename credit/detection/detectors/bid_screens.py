"""BID_SCREEN: statistical screens over the distribution of a lot's bids (coefficient of
variation, relative distance between the two lowest bids, kurtosis, skewness, spread).

Why it can signal collusion: in a competitive lot prices scatter; when a ring fixes the winner
and places cover bids just above it, the losing bids bunch together (low coefficient of
variation) while the gap to the winner stands out against that bunch (high relative
distance) (Imhof, Karagök and Rutz 2018). A screen is a lead, not evidence: its flag never
becomes a violation draft. Every lot's scores are kept with the lot; lots of fewer than
`min_bids` bids are never flagged, since two or three prices say nothing about a distribution.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from credit.detection import basis
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import bids_finding
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding
from credit.detection.planting import Plant, Planting, Wave


class Settings(DetectorSettings):
    confidence: float = 0.4
    min_bids: int = 4
    max_cv: float = 0.03  # flag at or below this coefficient of variation ...
    min_rd: float = 1.0  # ... together with at least this relative distance


@dataclass(frozen=True)
class Screen:
    lot: str
    bids: int
    cv: float | None
    rd: float | None
    kurtosis: float | None
    skewness: float | None
    spread: float | None


def screen(lot: LotFacts) -> Screen | None:
    """The lot's scores over its priced bids; a score its bids cannot support is None."""
    prices = [float(b.price) for b in lot.priced]
    n = len(prices)
    if n < 2 or min(prices) <= 0:
        return None
    mean = sum(prices) / n
    m2, m3, m4 = (sum((p - mean) ** k for p in prices) / n for k in (2, 3, 4))
    sd = math.sqrt(m2 * n / (n - 1))
    losers = prices[1:]
    loser_sd = _sd(losers) if len(losers) >= 2 else 0.0
    return Screen(
        lot=lot.uid,
        bids=n,
        cv=sd / mean,
        rd=(prices[1] - prices[0]) / loser_sd if loser_sd > 0 else None,
        kurtosis=(
            ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
            if n >= 4 and m2 > 0
            else None
        ),
        skewness=(m3 / m2**1.5) * math.sqrt(n * (n - 1)) / (n - 2) if n >= 3 and m2 > 0 else None,
        spread=(prices[-1] - prices[0]) / prices[0],
    )


def _sd(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:
        s = screen(lot)
        if s is None or s.bids < settings.min_bids or s.cv is None or s.rd is None:
            continue
        if s.cv <= settings.max_cv and s.rd >= settings.min_rd:
            yield bids_finding(
                DETECTOR.id,
                lot,
                lot.priced,
                settings.confidence,
                f"the {s.bids} bids of lot {lot.key} bunch together (CV {s.cv:.3f}) with the "
                f"lowest set apart (relative distance {s.rd:.2f})",
                suppliers=lot.suppliers,
                facts={
                    "cv": s.cv,
                    "rd": s.rd,
                    "kurtosis": s.kurtosis,
                    "skewness": s.skewness,
                    "spread": s.spread,
                },
            )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """The lots whose prices a ring set (BID_ROTATION's and COVER_BIDDING's), with four bids
    or more: what the screens are meant to catch."""
    for lot in m.rigged:
        if len(lot.bids) >= 4:
            m.record(DETECTOR.id, lot, lot.suppliers)


# pragma: no mutate end


DETECTOR = Detector(
    id="BID_SCREEN",
    order=130,
    title="Statistical screens over the bid distribution",
    basis=basis.SCREENS,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    violation=None,
    plants=(Plant(Wave.AFTER, plant),),
)
