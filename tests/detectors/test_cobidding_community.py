"""COBIDDING_COMMUNITY: a community of the co-bidding network, per region and period, whose
members bid together, mostly with one another, and keep the wins."""

from __future__ import annotations

from datetime import date

from credit.detection.detectors.cobidding_community import DETECTOR, region_of
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding
from tests.detectors.build import contest, golden, history, org, run, who

BUYER = "org:91330106MA27XY5A3K"  # a purchaser of division 330106


def ring(
    count: int = 6,
    *,
    year: int = 2024,
    outsider_wins: int = 0,
    pair_only: int = 0,
    buyer: str = BUYER,
) -> list[LotFacts]:
    """Members 1-3 bid together with a different outsider each time (20+): the member with
    the turn wins, except in the first `outsider_wins` lots; in the last `pair_only` lots
    only members 1 and 2 bid."""
    lots = []
    for i in range(count):
        members = (1, 2) if i >= count - pair_only else (1, 2, 3)
        prices: dict[int, int | str] = {m: 100000 + 2000 * m for m in members}
        prices[members[i % len(members)]] = 95000
        prices[20 + i + 10 * (year - 2024)] = 90000 if i < outsider_wins else 130000
        lots.append(contest(f"R{year}-{i}", prices, day=date(year, 1 + i, 3), purchaser=buyer))
    return lots


def found(lots: list[LotFacts], **settings: float) -> list[Finding]:
    return run(DETECTOR, Facts(history=history(*lots)), **settings)


def test_a_community_that_bids_together_and_keeps_the_wins_is_flagged() -> None:
    flags = found(ring())
    assert who(flags) == [(org(1), org(2), org(3))]
    assert flags[0].facts == {"region": "330106", "period": "2024", "lots": 6}
    assert flags[0].scores["cohesion"] == 1.0
    assert flags[0].scores["exclusivity"] == 0.5
    assert flags[0].scores["win_share"] == 1.0
    assert flags[0].scores["member_winners"] == 3
    assert flags[0].confidence == 0.3
    golden("cobidding_community", flags)


def test_each_threshold_is_inclusive() -> None:
    assert found(ring(), min_exclusivity=0.5) != []
    assert found(ring(), min_exclusivity=0.51) == []
    assert found(ring(outsider_wins=1), min_win_share=5 / 6) != []
    assert found(ring(outsider_wins=1), min_win_share=5 / 6 + 0.001) == []
    assert found(ring(pair_only=1), min_cohesion=17 / 18) != []
    assert found(ring(pair_only=1), min_cohesion=17 / 18 + 0.001) == []
    assert found(ring(), min_lots=6) != []
    assert found(ring(), min_lots=7) == []
    assert found(ring(), min_members=3) != []
    assert found(ring(), min_members=4) == []


def test_periods_split_the_network_and_longer_periods_join_it() -> None:
    lots = [*ring(3, year=2024), *ring(3, year=2025)]
    assert found(lots) == []
    flags = found(lots, period_years=2)
    assert [f.facts["period"] for f in flags] == ["2024-2025"]
    assert found([*ring(3, year=2025), *ring(3, year=2026)], period_years=2) == []


def test_lots_without_a_region_a_community_out_of_focus_and_no_history_are_not_judged() -> None:
    assert found(ring(buyer="org:BUYER")) == []
    h = history(*ring())
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(1), org(2)}))) == []
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(1), org(2), org(3)}))) != []
    assert run(DETECTOR, Facts()) == []
    lone = [contest(f"S{i}", {1: 100}, purchaser=BUYER) for i in range(6)]
    assert found(lone) == []


def test_the_region_is_read_from_the_purchasers_credit_code() -> None:
    assert region_of(BUYER) == "330106"
    assert region_of(None) is None
    assert region_of("person:91330106MA27XY5A3K") is None
    assert region_of("org:91330106MA27XY5A3") is None  # 17 characters
    assert region_of("org:9133A106MA27XY5A3K") is None


def test_every_region_is_judged_and_lots_without_one_are_passed_over() -> None:
    nowhere = contest("X", {1: 100, 2: 110}, day=date(2023, 1, 1), purchaser="org:BUYER")
    other = "org:91320102MA27XY5A3K"  # division 320102
    moved = [
        contest(
            x.key + "b",
            {int(b.supplier[5:]) + 3: str(b.price) for b in x.bids},
            day=x.day,
            purchaser=other,
        )
        for x in ring()
    ]
    flags = found([nowhere, *ring(), *moved])
    assert [(f.facts["region"], f.suppliers) for f in flags] == [
        ("320102", (org(4), org(5), org(6))),
        ("330106", (org(1), org(2), org(3))),
    ]


def test_scores_are_kept_to_four_places_and_weigh_the_confidence() -> None:
    (flag,) = found(ring(pair_only=1, outsider_wins=1), min_win_share=0.5)
    assert flag.scores["cohesion"] == 0.9444  # 17 of 18 member places
    assert flag.scores["win_share"] == 0.8333  # 5 of 6 lots
    assert flag.confidence == round(0.6 * (17 / 18) * flag.scores["exclusivity"], 4)
    golden("cobidding_community_scores", [flag])
