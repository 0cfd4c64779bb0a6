"""IDENTICAL_PRICES: different bidders of one lot quote exactly the same price.

Why it signals collusion: prices built from each bidder's own costs rarely coincide to the
cent; identical quotes suggest one source wrote them (Order 87 Art. 37 item 4, abnormally
consistent bids). Round prices close together coincide by chance, so a tie is flagged only
when it is unlikely for a lot with this spread of prices and this roundness.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from credit.detection import basis
from credit.detection.common import granularity, median, spread_scale
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import bids_finding
from credit.detection.detectors.regular_price_difference import DIFFERENCE
from credit.detection.facts import BidFact, Facts
from credit.detection.flags import Finding
from credit.detection.planting import Plant, Planting, Wave, cents


class Settings(DetectorSettings):
    confidence: float = 0.8
    min_spread: float = 0.01  # floor of a lot's price spread, relative to its median price
    max_chance: float = 0.0001  # flag when such a tie arises by chance less often than this


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    for lot in facts.lots:
        bids = list(lot.contenders)
        if len(bids) < 2:
            continue
        prices = [float(b.price) for b in bids]
        sigma = spread_scale(prices, settings.min_spread * median(prices))
        same: dict[Decimal, list[BidFact]] = defaultdict(list)
        for bid in bids:
            same[bid.price].append(bid)
        for price, tied in sorted(same.items()):
            # a price of 0 is how some open data publishes a bid without its price (Armenian
            # releases): no evidence of a tie, and no spread to measure one against
            if len(tied) < 2 or price <= 0 or sigma <= 0:
                continue
            unit = float(granularity([price]))
            chance = math.comb(len(bids), len(tied)) * min(1.0, DIFFERENCE * unit / sigma) ** (
                len(tied) - 1
            )
            if chance > settings.max_chance:
                continue
            yield bids_finding(
                DETECTOR.id,
                lot,
                tied,
                settings.confidence * (1 - chance),
                f"{len(tied)} bidders of lot {lot.key} quote exactly {price}",
                facts={"price": str(price)},
                scores={"chance": chance},
            )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """Two valid bids of a lot at one price."""
    lot = m.free_lot()
    first, second = m.rng.sample(lot.bids, 2)
    first.status = second.status = "VALID"
    first.price = second.price = cents(float(lot.budget) * m.rng.uniform(0.85, 0.95))
    m.record(DETECTOR.id, lot, (first.supplier, second.supplier))


# pragma: no mutate end


DETECTOR = Detector(
    id="IDENTICAL_PRICES",
    order=120,
    title="Different bidders quote the same price",
    basis=basis.ART37_4,
    reads=frozenset({Reads.LOTS}),
    phases=frozenset({Phase.LOT}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.CASES, plant),),
)
