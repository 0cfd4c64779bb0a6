"""BID_SUPPRESSION: a regular bidder at a purchaser stays away from (or withdraws from)
exactly the lots one partner wins there."""

from __future__ import annotations

from datetime import date, timedelta

from credit.detection.detectors.bid_suppression import DETECTOR
from credit.detection.facts import BuyerStats, Facts, History, LotFacts
from credit.detection.flags import Finding
from tests.detectors.build import bid, contest, golden, history, lot, org, run, who

START = date(2024, 1, 1)


def market(
    partner_wins: int = 4, others: int = 14, skipped: tuple[int, ...] = (5, 9)
) -> list[LotFacts]:
    """At one purchaser: `others` lots won by supplier 5, supplier 1 bidding in all but the
    `skipped` ones; between them `partner_wins` lots won by supplier 2, which supplier 1 stays
    away from (its bid for the last one withdrawn); 5 and 6 bid everywhere, 2 in two of 5's
    lots too."""
    lots = []
    day = START
    for i in range(others):
        prices: dict[int, int | str] = {5: 100000, 6: 110000}
        if i not in skipped:
            prices[1] = 105000
        if i in (4, 5):
            prices[2] = 108000
        lots.append(contest(f"O{i:02d}", prices, day=day))
        day += timedelta(days=7)
        if 3 <= i < 3 + partner_wins:
            k = i - 3
            bids = [
                bid(2, 90000, lot=f"P{k}", day=day),
                bid(5, 100000, lot=f"P{k}", day=day),
                bid(6, 110000, lot=f"P{k}", day=day),
            ]
            if k == partner_wins - 1:
                bids.append(bid(1, 95000, lot=f"P{k}", day=day, status="WITHDRAWN"))
            lots.append(lot(f"P{k}", bids, day=day, winner=org(2)))
            day += timedelta(days=7)
    return lots


def found(lots: list[LotFacts], **settings: float) -> list[Finding]:
    return run(DETECTOR, Facts(history=history(*lots)), **settings)


def test_a_regular_bidder_absent_from_all_its_partners_wins_is_flagged() -> None:
    flags = found(market())
    assert who(flags) == [(org(1), org(2))]
    assert flags[0].facts == {"bidder": org(1), "partner": org(2), "withdrawn": ["lot:P3"]}
    assert flags[0].lots == ("lot:P0", "lot:P1", "lot:P2", "lot:P3")
    assert flags[0].scores["participation"] == round(12 / 14, 4)
    assert abs(flags[0].scores["chance"] - (2 / 14) ** 4) < 1e-15
    assert flags[0].confidence == 0.6
    golden("bid_suppression", flags)
    chance = flags[0].scores["chance"]
    assert found(market(), max_chance=chance) != []
    assert found(market(), max_chance=chance * 0.999) == []


def test_the_thresholds_on_absences_other_lots_and_participation_are_inclusive() -> None:
    assert found(market(partner_wins=3), max_chance=1.0) != []
    assert found(market(partner_wins=3), max_chance=1.0, min_lots=4) == []
    assert found(market(), min_other_lots=14) != []
    assert found(market(), min_other_lots=15) == []
    assert found(market(), min_regular=12 / 14) != []
    assert found(market(), min_regular=12 / 14 + 0.001) == []
    assert (
        found(market(skipped=tuple(range(1, 14, 2))), max_chance=1.0) == []
    )  # half the other lots: no regular


def test_an_incomplete_purchaser_and_a_bidder_out_of_focus_are_not_judged() -> None:
    lots = market()
    h = history(*lots)
    assert run(DETECTOR, Facts(history=History(lots=h.lots, buyers=frozenset()))) == []
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(2), org(5)}))) == []
    assert run(DETECTOR, Facts()) == []


def test_the_purchasers_decided_days_bound_a_bidder_active_between_them() -> None:
    lots = market()
    h = history(*lots)
    days = tuple(sorted(x.day for x in lots) + [START + timedelta(days=7 * k) for k in range(30)])
    crowded = History(
        lots=h.lots, stats={"org:BUYER": BuyerStats(decided_days=tuple(sorted(days)))}
    )
    assert run(DETECTOR, Facts(history=crowded)) == []  # many more lots it did not bid for
