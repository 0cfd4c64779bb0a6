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

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from datetime import date

from credit.detection import basis
from credit.detection.common import binomial_tail, lot_timeline
from credit.detection.detector import Detector, DetectorSettings, Phase, Reads
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding, finding
from credit.detection.planting import Plant, Planting, Wave


class Settings(DetectorSettings):
    confidence: float = 0.6
    min_lots: int = 3  # the partner's wins the bidder stayed away from
    min_other_lots: int = 4  # the purchaser's other lots in the bidder's active period
    min_regular: float = 0.6  # the bidder's participation in those other lots
    max_chance: float = 0.01


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
    # each pair at a purchaser is one flag: where both stayed away from the other's wins, the
    # less likely direction is its evidence
    found: dict[str, Finding] = {}
    for purchaser, lots in sorted(by_purchaser.items()):
        market = _Market(lots, history.buyer_stats(purchaser).decided_days, active, settings)
        for one in _at_purchaser(purchaser, market, active, settings):
            kept = found.get(one.uid)
            if kept is None or one.scores["chance"] < kept.scores["chance"]:
                found[one.uid] = one
    yield from found.values()


class _Market:
    """One purchaser's decided lots: the days of all of them (a lot check reads only these
    for lots its bidders had no part in) and, by supplier, the lots each bid for and won.
    A bidder's active period is then a pair of bisections, so each (bidder, partner) pair
    costs a few lookups, not a pass over the purchaser's lots."""

    def __init__(
        self,
        lots: list[LotFacts],
        days: tuple[date, ...],
        active: Mapping[str, object],
        settings: Settings,
    ) -> None:
        self.days = days
        self.bidden: defaultdict[str, list[LotFacts]] = defaultdict(list)
        wins: defaultdict[str, list[LotFacts]] = defaultdict(list)
        for lot in lots:
            for supplier in lot.ranks:
                if supplier in active:
                    self.bidden[supplier].append(lot)
            if lot.winner is not None and lot.winner in active:
                wins[lot.winner].append(lot)
        # only a partner with min_lots wins here can have min_lots wins a bidder stayed away from
        self.wins = {p: w for p, w in sorted(wins.items()) if len(w) >= settings.min_lots}
        self.win_days = {p: [lot.day for lot in w] for p, w in self.wins.items()}
        self.most_wins = max((len(w) for w in self.wins.values()), default=0)

    def span(self, first: date, last: date) -> int:
        """How many of the purchaser's decided lots fall in [first, last]."""
        return bisect_right(self.days, last) - bisect_left(self.days, first)

    def wins_in(self, partner: str, first: date, last: date) -> list[LotFacts]:
        days = self.win_days[partner]
        return self.wins[partner][bisect_left(days, first) : bisect_right(days, last)]


def _at_purchaser(
    purchaser: str,
    market: _Market,
    active: Mapping[str, tuple[date, date]],
    settings: Settings,
) -> Iterator[Finding]:
    """Partners whose wins, in a regular bidder's active period, the bidder kept away from."""
    for bidder, mine in sorted(market.bidden.items()):
        present = len(mine)  # every lot it bid for lies in its own active period
        if present < settings.min_regular * settings.min_other_lots:
            continue
        first, last = active[bidder]
        span = market.span(first, last)
        if present < settings.min_regular * (span - market.most_wins):
            continue  # too rare a bidder here to be a regular, whoever the partner
        won_with_me = Counter(lot.winner for lot in mine)
        for partner in market.wins:
            if partner == bidder:
                continue
            won = market.wins_in(partner, first, last)
            others = span - len(won)
            absent = len(won) - won_with_me[partner]
            if others < settings.min_other_lots or absent < settings.min_lots:
                continue
            rate = (present - won_with_me[partner]) / others
            if rate < settings.min_regular:
                continue
            chance = binomial_tail(absent, len(won), 1 - rate)
            if chance <= settings.max_chance:
                yield _finding(purchaser, bidder, partner, mine, won, rate, chance, settings)


def _finding(
    purchaser: str,
    bidder: str,
    partner: str,
    mine: list[LotFacts],
    won: list[LotFacts],
    rate: float,
    chance: float,
    settings: Settings,
) -> Finding:
    absent = [lot for lot in won if bidder not in lot.ranks]
    nodes, edges = lot_timeline(absent, [partner])
    shown = [lot for lot in mine if lot.winner != partner]
    more_nodes, more_edges = lot_timeline(shown[-len(absent) :], [bidder])
    withdrawn = [lot.uid for lot in absent if any(b.supplier == bidder for b in lot.bids)]
    return finding(
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


# What `credit simulate` plants (credit.detection.planting): `credit evaluate` measures it,
# the pure tests do not run it.
# pragma: no mutate start
def plant(m: Planting) -> None:
    """A regular bidder at a purchaser keeps away from the lots its partner wins."""
    rng = m.rng
    regular, partner = m.pair()
    buyer = m.private_buyer(regular.region)
    days = sorted(m.day() for _ in range(rng.randint(11, 14)))
    partner_turns = set(rng.sample(range(1, len(days) - 1), rng.randint(4, 5)))
    for i, day in enumerate(days):
        lot = m.project_lot(regular.category, day, buyer, agency=False)
        lot.planted = True
        if i in partner_turns:
            base = m.lead(lot, partner, 0.82, 0.88)
            m.above(lot, m.draw(lot, rng.randint(2, 4), [regular, partner]), base, 1.03, 1.2)
        else:
            edge = i in (0, len(days) - 1)  # it bids there from the first lot to the last
            bidders = [regular] if edge or rng.random() < 0.92 else []
            m.compete(lot, [*bidders, *m.draw(lot, rng.randint(2, 5), [regular, partner])])
            for bid in lot.bids:
                if bid.supplier is regular:
                    bid.status = "VALID"
    m.record(DETECTOR.id, None, (regular, partner), ("org", buyer.uscc))


# pragma: no mutate end


DETECTOR = Detector(
    id="BID_SUPPRESSION",
    order=170,
    title="A regular bidder that stops bidding where a partner wins",
    basis=basis.ART74,
    reads=frozenset({Reads.HISTORY}),
    phases=frozenset({Phase.HISTORY}),
    settings=Settings,
    detect=detect,
    why=__doc__ or "",
    plants=(Plant(Wave.HISTORY, plant),),
)
