"""BID_ROTATION: a closed group that bids for the same lots, wins nearly all of them and takes
turns winning, beyond what chance gives busy competitors."""

from __future__ import annotations

from datetime import date

import pytest

from credit.detection.detectors.bid_rotation import DETECTOR
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding
from tests.detectors.build import contest, golden, history, org, run, who

RING = (1, 2, 3)


def turns(winners: list[int], ring: tuple[int, ...] = RING) -> list[LotFacts]:
    """Lots where the ring bids with outsiders 7 and 8 and the given member wins."""
    lots = []
    for i, winner in enumerate(winners):
        prices: dict[int, int | str] = {m: 110000 + 1000 * m for m in ring}
        prices[winner] = 100000
        prices |= {7: 130000, 8: 135000}
        lots.append(contest(f"R{i}", prices, day=date(2024, 1 + i, 5)))
    return lots


def background() -> list[LotFacts]:
    """40 ordinary lots at the same buyer among suppliers 10-19, each ring member in two."""
    lots = []
    for i in range(40):
        bidders = [10 + i % 10, 10 + (i + 3) % 10] + ([RING[i % 3]] if i < 6 else [])
        prices: dict[int, int | str] = {n: 90000 + 700 * ((n * 5 + i) % 17) for n in bidders}
        lots.append(contest(f"B{i:02d}", prices, day=date(2023, 1 + i % 12, 1 + i // 12)))
    return lots


def found(lots: list[LotFacts], **settings: float) -> list[Finding]:
    return run(DETECTOR, Facts(history=history(*lots)), **settings)


def test_a_ring_taking_turns_is_flagged_once_as_the_whole_group() -> None:
    flags = found([*turns([1, 2, 3, 1, 2, 3]), *background()])
    assert who(flags) == [(org(1), org(2), org(3))]
    assert flags[0].facts == {"lots": 6, "won": 6, "wins": {org(1): 2, org(2): 2, org(3): 2}}
    scores = flags[0].scores
    assert scores["win_chance"] == pytest.approx(0.6**6)
    assert scores["chance"] == scores["win_chance"] * scores["together_chance"] < 1e-5
    assert flags[0].confidence == 0.8
    golden("bid_rotation", flags)
    lots = [*turns([1, 2, 3, 1, 2, 3]), *background()]
    assert found(lots, max_chance=scores["chance"]) != []
    assert found(lots, max_chance=scores["chance"] * 0.999) == []


def ring_groups(flags: list[Finding]) -> list[tuple[str, ...]]:
    """The flagged groups with a ring member (the background's pairs take turns too)."""
    return [f.suppliers for f in flags if set(f.suppliers) & {org(n) for n in RING}]


def test_one_member_taking_most_wins_or_a_member_never_winning_is_no_rotation() -> None:
    assert ring_groups(found([*turns([1] * 7 + [2, 3]), *background()], max_chance=1.0)) == []
    lots = [*turns([1, 2, 1, 2, 1, 2, 1, 2]), *background()]
    assert ring_groups(found(lots)) == [(org(1), org(2))]
    assert ring_groups(found(lots, max_single_share=0.49)) == []
    assert ring_groups(found(lots, max_single_share=0.5)) == [(org(1), org(2))]


def test_the_group_must_win_nearly_all_of_the_lots_it_shares() -> None:
    lots = [*turns([1, 2, 3, 1, 2, 3, 1, 2, 3]), *background()]
    outsider: dict[int, int | str] = {1: 110000, 2: 111000, 3: 112000, 9: 100000}
    lost = contest("X0", outsider, day=date(2024, 12, 1))
    assert ring_groups(found([*lots, lost])) == [(org(1), org(2), org(3))]  # 9 of 10
    assert ring_groups(found([*lots, lost], min_win_share=0.91)) == []


def test_the_number_of_lots_the_size_and_the_focus_limit_what_is_looked_at() -> None:
    lots = [*turns([1, 2, 3, 1, 2, 3]), *background()]
    assert ring_groups(found(lots, min_lots=6)) == [(org(1), org(2), org(3))]
    assert ring_groups(found(lots, min_lots=7)) == []
    assert ring_groups(found(lots, max_size=2)) == []
    focused = Facts(history=history(*lots), focus=frozenset({org(1), org(2)}))
    assert all(set(f.suppliers) <= {org(1), org(2)} for f in run(DETECTOR, focused))
    undecided = [contest(f"N{i}", {1: 1, 2: 2}, awarded=False) for i in range(5)]
    assert found(undecided, max_chance=1.0) == []
    assert run(DETECTOR, Facts()) == []


def test_a_lot_never_awarded_before_the_ring_leaves_the_later_lots_counted() -> None:
    unawarded = contest("U0", {10: 90000, 11: 91000}, awarded=False, day=date(2022, 1, 5))
    flags = found([unawarded, *turns([1, 2, 3, 1, 2, 3]), *background()])
    assert who(flags) == [(org(1), org(2), org(3))]
