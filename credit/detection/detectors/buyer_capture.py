"""BUYER_CAPTURE: one supplier wins an abnormal share of one purchaser's or agency's awards.

Why it signals collusion: when a purchaser or agency and a supplier collude, the lots are cut,
timed or judged so that supplier wins; across the buyer's awards that shows as a share of wins
far above what its bids would win in open contests (Implementing Regulations Art. 74 item 7).
A supplier is flagged when it won at least `min_share` of the buyer's awarded lots and,
counting each lot it bid for as a fair draw among that lot's bidders, winning so many would
happen by chance less often than `max_chance`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from credit.detection import basis
from credit.detection.common import poisson_binomial_tail
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.detectors._shared import timeline_finding
from credit.detection.facts import Facts
from credit.detection.flags import Finding
from credit.detection.planting import Plant, Planting, Wave


class Settings(DetectorSettings):
    confidence: float = 0.6
    min_awards: int = 5  # the buyer's awarded lots
    min_share: float = 0.5
    max_chance: float = 0.001


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    if facts.history is None:
        return
    history = facts.history
    for buyer, uids in sorted(history.by_buyer.items()):
        if not history.complete(buyer):
            continue
        total = history.buyer_stats(buyer).awarded  # a lot check holds only its bidders' lots
        if total < settings.min_awards:
            continue
        awarded = [lot for lot in history.of(uids) if lot.winner and lot.contenders]
        wins = Counter(lot.winner for lot in awarded if lot.winner in lot.ranks)
        for supplier, count in sorted(wins.items(), key=lambda w: str(w[0])):
            if supplier is None or not facts.in_focus([supplier]):
                continue
            if count < settings.min_share * total:
                continue
            fair = [1 / len(lot.contenders) for lot in awarded if supplier in lot.ranks]
            chance = poisson_binomial_tail(count, fair)
            if chance > settings.max_chance:
                continue
            won = [lot for lot in awarded if lot.winner == supplier]
            yield timeline_finding(
                DETECTOR.id,
                [supplier],
                settings.confidence,
                f"one supplier won {count} of a buyer's {total} awarded lots "
                f"({count / total:.0%}); fair contests would give it about "
                f"{sum(fair):.1f}",
                won,
                others=[buyer],
                scores={
                    "awarded": total,
                    "expected": round(sum(fair), 4),
                    "chance": chance,
                },
            )


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """A purchaser whose awards keep going to one supplier."""
    rng = m.rng
    favourite = rng.choice(m.suppliers)
    buyer = m.private_buyer(favourite.region)
    lots = rng.randint(7, 10)
    wins = set(rng.sample(range(lots), max(5, int(lots * rng.uniform(0.65, 0.85)))))
    for i, day in enumerate(sorted(m.day() for _ in range(lots))):
        lot = m.project_lot(favourite.category, day, buyer, agency=False)
        lot.planted = True
        others = m.draw(lot, rng.randint(3, 6), [favourite])
        if i in wins:
            base = m.lead(lot, favourite, 0.85, 0.93)
            m.above(lot, others, base, 1.01, 1.15)
        else:
            m.compete(lot, others)
            for bid in lot.bids:
                bid.status = "VALID"
    m.record(DETECTOR.id, None, (favourite,), ("org", buyer.uscc))


# pragma: no mutate end


DETECTOR = Detector(
    id="BUYER_CAPTURE",
    order=180,
    title="One supplier wins an abnormal share of one buyer's awards",
    basis=basis.ART74_BUYER,
    reads=frozenset({Reads.HISTORY}),
    phases=frozenset({Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.HISTORY, plant),),
)
