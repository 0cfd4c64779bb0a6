"""BID_SUPPRESSION: a regular bidder at a purchaser that stays away (or withdraws) exactly
where one partner wins.

Why it signals collusion: suppliers who have agreed to share out a purchaser's lots do not
compete for the partner's share; the suppressing bidder keeps bidding for the purchaser's other
lots, so its absence is not a lack of interest (Implementing Regulations Art. 74: agreeing that
some suppliers withdraw or do not bid). A pair is flagged when the bidder took part in at
least `min_regular` of the purchaser's other lots while it was active, yet skipped or withdrew
from at least `min_lots` of the partner's wins, and that would happen by chance less often
than `max_chance`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping

from credit.detection import basis
from credit.detection.common import binomial_tail, lot_timeline
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding, finding


class Settings(DetectorSettings):
    min_lots: int  # the partner's wins the bidder stayed away from
    min_other_lots: int  # the purchaser's other lots in the bidder's active period
    min_regular: float  # the bidder's participation in those other lots
    max_chance: float


def detect(facts: Facts, settings: Settings) -> Iterator[Finding]:
    if facts.history is None:
        return
    history = facts.history
    active = {
        s: (history.lots[lots[0]].day, history.lots[lots[-1]].day)
        for s, lots in history.by_supplier.items()
        if facts.in_focus([s])
    }
    by_purchaser: defaultdict[str, list[LotFacts]] = defaultdict(list)
    for lot in history.ordered:
        if lot.purchaser and lot.winner and history.complete(lot.purchaser):
            by_purchaser[lot.purchaser].append(lot)
    for purchaser, lots in sorted(by_purchaser.items()):
        counts = Counter(s for lot in lots for s in lot.ranks if s in active)
        for bidder, count in sorted(counts.items()):
            if count >= settings.min_regular * settings.min_other_lots:  # could be a regular
                first, last = active[bidder]
                span = [lot for lot in lots if first <= lot.day <= last]
                yield from _suppressed(purchaser, bidder, span, active, settings)


def _suppressed(
    purchaser: str,
    bidder: str,
    span: list[LotFacts],
    active: Mapping[str, object],
    settings: Settings,
) -> Iterator[Finding]:
    """Partners whose wins, in the bidder's active period, the bidder kept away from."""
    by_winner: defaultdict[str, list[LotFacts]] = defaultdict(list)
    for lot in span:
        if lot.winner is not None:
            by_winner[lot.winner].append(lot)
    present = sum(bidder in lot.ranks for lot in span)
    for partner, won in sorted(by_winner.items()):
        others = len(span) - len(won)
        if partner == bidder or partner not in active or others < settings.min_other_lots:
            continue
        absent = [lot for lot in won if bidder not in lot.ranks]
        rate = (present - (len(won) - len(absent))) / others
        if len(absent) < settings.min_lots or rate < settings.min_regular:
            continue
        chance = binomial_tail(len(absent), len(won), 1 - rate)
        if chance > settings.max_chance:
            continue
        nodes, edges = lot_timeline(absent, [partner])
        shown = [lot for lot in span if lot.winner != partner and bidder in lot.ranks]
        more_nodes, more_edges = lot_timeline(shown[-len(absent) :], [bidder])
        withdrawn = [lot.uid for lot in absent if any(b.supplier == bidder for b in lot.bids)]
        yield finding(
            DETECTOR.id,
            None,
            [bidder, partner],
            settings.confidence,
            f"a supplier that bid for {rate:.0%} of a purchaser's other lots stayed away from "
            f"{len(absent)} of the {len(won)} lots its partner won there",
            others=[purchaser],
            lots=[lot.uid for lot in absent],
            nodes=[*nodes, *more_nodes],
            edges=[*edges, *more_edges],
            facts={"bidder": bidder, "partner": partner, "withdrawn": withdrawn},
            scores={"participation": round(rate, 4), "chance": chance},
        )


DETECTOR = Detector(
    id="BID_SUPPRESSION",
    title="A regular bidder that stops bidding where a partner wins",
    basis=basis.ART74,
    reads=frozenset({Reads.HISTORY}),
    phases=frozenset({Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
)
