"""BUYER_CAPTURE: one supplier wins a share of one buyer's awards that fair contests would
almost never give it (Regs Art. 74 item 7)."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.buyer_capture import DETECTOR
from credit.detection.facts import BuyerStats, Facts, History, LotFacts
from credit.detection.flags import Finding
from tests.detectors.build import contest, golden, history, org, run, who


def market(wins: int, lots: int = 8, buyer: str = "org:B") -> History:
    """`lots` lots of four bidders at the buyer (via its agency for the last), supplier 1
    winning the first `wins`, supplier 2 the rest."""
    return history(
        *(
            contest(
                f"C{i}",
                {1: 100 + (0 if i < wins else 10), 2: 105, 3: 120, 4: 130},
                day=date(2024, 1 + i, 1),
                purchaser=buyer if i < lots - 1 else "org:OTHER",
                agency=None if i < lots - 1 else buyer,
            )
            for i in range(lots)
        )
    )


def found(h: History, **settings: float) -> list[Finding]:
    return run(DETECTOR, Facts(history=h), **settings)


def test_a_supplier_winning_seven_of_a_buyers_eight_lots_is_flagged() -> None:
    flags = found(market(7))
    assert who(flags) == [(org(1),)]
    assert flags[0].others == ("org:B",)
    assert flags[0].lot is None and len(flags[0].lots) == 7
    assert flags[0].scores["awarded"] == 8 and flags[0].scores["expected"] == 2.0
    chance = 8 * 0.25**7 * 0.75 + 0.25**8
    assert abs(flags[0].scores["chance"] - chance) < 1e-12
    assert flags[0].confidence == 0.6
    golden("buyer_capture", flags)
    assert found(market(7), max_chance=chance) != []
    assert found(market(7), max_chance=chance * 0.999) == []


def test_the_share_and_the_count_of_awards_are_thresholds() -> None:
    assert found(market(4), max_chance=1.0) != []  # 4 of 8: exactly half
    assert found(market(4), max_chance=1.0, min_share=0.51) == []
    assert found(market(5, lots=5), max_chance=1.0) != []
    assert found(market(5, lots=5), max_chance=1.0, min_awards=6) == []
    assert found(market(5)) == []  # five of eight arises by chance often enough


def test_a_minor_winner_listed_before_the_captured_supplier_does_not_hide_it() -> None:
    h = history(
        *(
            contest(
                f"C{i}", {1: 110 if i else 100, 2: 105, 3: 120, 4: 130}, day=date(2024, 1 + i, 1)
            )
            for i in range(8)
        )
    )
    assert who(found(h)) == [(org(2),)]


def test_an_incomplete_buyer_a_supplier_out_of_focus_and_no_history_are_not_judged() -> None:
    h = market(7)
    partial = History(lots=h.lots, buyers=frozenset({"org:OTHER"}))
    assert run(DETECTOR, Facts(history=partial)) == []
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(2)}))) == []
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(1)}))) != []
    assert run(DETECTOR, Facts()) == []


def test_the_buyers_counted_awards_come_from_its_statistics_when_given() -> None:
    h = market(7)
    counted = History(lots=h.lots, stats={"org:B": BuyerStats(awarded=20)})
    assert run(DETECTOR, Facts(history=counted)) == []  # 7 of 20 is below half
    unawarded = history(*(contest(f"U{i}", {1: 100, 2: 110}, awarded=False) for i in range(6)))
    assert run(DETECTOR, Facts(history=unawarded), min_awards=1) == []


def shared(buyer: str = "org:B", early: int = 2) -> list[LotFacts]:
    """Ten three-bidder lots at one buyer: supplier `early` (1 or 2) wins the first four, the
    other the last six; two lots where supplier 1 bid were never awarded."""
    late = 3 - early
    lots = [
        contest(
            f"S{i}",
            {early: 100 if i < 4 else 110, late: 100 if i >= 4 else 110, 3: 120},
            day=date(2024, 1, 1 + i),
            purchaser=buyer,
        )
        for i in range(10)
    ]
    lots += [
        contest(f"N{i}", {1: 100, 3: 120}, day=date(2024, 2, 1 + i), purchaser=buyer, awarded=False)
        for i in range(2)
    ]
    return lots


def test_suppliers_of_one_buyer_come_by_id_each_judged_on_its_own() -> None:
    h = history(*shared())
    both = run(DETECTOR, Facts(history=h), min_share=0.3, max_chance=1.0)
    assert who(both) == [(org(1),), (org(2),)]
    assert [f.scores["expected"] for f in both] == [3.3333, 3.3333]
    # the first one out of focus or below the share: the second is still judged
    focus = Facts(history=h, focus=frozenset({org(2)}))
    assert who(run(DETECTOR, focus, min_share=0.3, max_chance=1.0)) == [(org(2),)]
    assert who(run(DETECTOR, Facts(history=h), min_share=0.5, max_chance=1.0)) == [(org(1),)]


def test_a_first_supplier_too_likely_to_win_so_often_does_not_stop_the_next() -> None:
    h = history(*shared(early=1))
    chance = {
        f.suppliers: f.scores["chance"]
        for f in run(DETECTOR, Facts(history=h), min_share=0.3, max_chance=1.0)
    }
    assert chance[(org(2),)] < chance[(org(1),)]
    between = (chance[(org(1),)] + chance[(org(2),)]) / 2
    assert who(run(DETECTOR, Facts(history=h), min_share=0.3, max_chance=between)) == [(org(2),)]


def test_a_buyer_left_out_or_with_few_awards_does_not_stop_the_next_one() -> None:
    lots = [*shared("org:A"), *market(7).lots.values()]
    complete_b = History(lots=history(*lots).lots, buyers=frozenset({"org:B"}))
    assert [f.others for f in run(DETECTOR, Facts(history=complete_b))] == [("org:B",)]
    few = [*shared("org:A")[:3], *market(7).lots.values()]
    assert [f.others for f in run(DETECTOR, Facts(history=history(*few)))] == [("org:B",)]
