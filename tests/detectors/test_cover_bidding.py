"""COVER_BIDDING: the same suppliers bid just above the same winner, lot after lot, and
never undercut it."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.cover_bidding import DETECTOR
from credit.detection.facts import Facts, History, LotFacts
from credit.detection.flags import Finding
from tests.detectors.build import contest, golden, history, org, run, who


def ring(gap: int = 3000, count: int = 6, first: int = 0) -> list[LotFacts]:
    """Supplier 1 wins at 100 000, supplier 2 covers `gap` above, outsiders 3 and 4 further."""
    return [
        contest(
            f"R{i}",
            {1: 100000, 2: 100000 + gap, 3: 120000 + i, 4: 125000 + i},
            day=date(2024, 1, 1 + i),
        )
        for i in range(first, first + count)
    ]


def background() -> list[LotFacts]:
    """24 ordinary lots of the same trade at the same buyer: supplier 1 in six of them."""
    lots = []
    for i in range(24):
        bidders = [5 + i % 4, 9 + i % 3] + ([1] if i < 6 else [])
        lots.append(
            contest(
                f"B{i:02d}",
                {n: 90000 + 1000 * ((n * 7 + i) % 13) for n in bidders},
                day=date(2023, 1 + i % 12, 2 + i // 12),
            )
        )
    return lots


def found(lots: list[LotFacts], **settings: float) -> list[Finding]:
    return run(DETECTOR, Facts(history=history(*lots)), **settings)


def test_a_cover_just_above_the_winner_in_six_lots_is_flagged() -> None:
    flags = found([*ring(), *background()])
    assert who(flags) == [(org(1), org(2))]
    assert flags[0].facts == {"winner": org(1), "covers": {org(2): 6}}
    assert len(flags[0].lots) == 6 and flags[0].lot is None
    assert flags[0].scores["chance"] < 1e-3
    assert flags[0].confidence == 0.75
    golden("cover_bidding", flags)
    chance = flags[0].scores["chance"]
    assert found([*ring(), *background()], max_chance=chance) != []
    assert found([*ring(), *background()], max_chance=chance * 0.999) == []


def test_the_gap_and_the_number_of_lots_are_inclusive_thresholds() -> None:
    assert found([*ring(gap=5000), *background()]) != []  # 5% above: just above
    assert found([*ring(gap=5001), *background()]) == []
    assert found([*ring(), *background()], min_lots=6) != []
    assert found([*ring(), *background()], min_lots=7) == []


def test_a_cover_that_undercuts_or_wins_too_often_is_no_cover() -> None:
    undercut = contest("U0", {2: 99000, 1: 100000, 3: 130000}, day=date(2024, 3, 1))
    assert found([*ring(), undercut, *background()], max_chance=1.0) != []  # 1 of 7 lots
    assert found([*ring(), undercut, *background()], max_chance=1.0, max_undercut=0.1) == []
    wins = [contest(f"W{i}", {2: 90000, 7: 95000}, day=date(2024, 4, 1 + i)) for i in range(4)]
    # supplier 2 then wins 4 of its 10 lots, above 0.3
    assert found([*ring(), *wins, *background()], max_chance=1.0) == []
    assert found([*ring(), *wins, *background()], max_chance=1.0, max_cover_wins=0.4) != []


def test_a_winner_that_was_not_cheapest_or_lots_out_of_focus_do_not_count() -> None:
    awarded_dearer = [
        contest(f"D{i}", {2: 99000, 1: 100000, 3: 120000}, winner=1, day=date(2024, 5, 1 + i))
        for i in range(6)
    ]
    assert found([*awarded_dearer, *background()], max_chance=1.0) == []
    h: History = history(*ring(), *background())
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(1), org(3)}))) == []
    assert run(DETECTOR, Facts()) == []


def test_an_undercut_share_equal_to_the_threshold_and_a_pair_listed_first_still_let_it_flag() -> (
    None
):
    undercut = contest("U0", {2: 99000, 1: 100000, 3: 130000}, day=date(2024, 3, 1))
    # 1 of 8 lots, exactly the threshold: still a cover
    assert found([*ring(count=7), undercut, *background()], max_chance=1.0, max_undercut=0.125)
    # supplier 10 just above the winner once: a pair ruled out before supplier 2's is judged
    once = contest("X0", {1: 100000, 10: 101000, 3: 130000}, day=date(2024, 3, 2))
    assert who(found([*ring(), once, *background()])) == [(org(1), org(2))]
