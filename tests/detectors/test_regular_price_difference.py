"""REGULAR_PRICE_DIFFERENCE: bids in arithmetic or geometric progression within a lot, and a
pair keeping a fixed difference or ratio across lots (tests/test_price_progressions.py holds
the rounding cases of the progressions)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest

from credit.detection.common import median, spread_scale
from credit.detection.detectors.regular_price_difference import (
    DETECTOR,
    Settings,
    progressions,
)
from credit.detection.facts import Facts, LotFacts
from credit.detection.flags import Finding
from tests.detectors.build import bid, contest, facts, golden, history, lot, org, run, who

STEP = [1_000_017, 1_037_538, 1_075_059]  # an exact step of 37 521 yuan


def priced(*prices: int | str, key: str = "L1") -> LotFacts:
    return lot(key, [bid(k, p, lot=key) for k, p in enumerate(prices, start=1)])


def test_three_bids_in_exact_arithmetic_progression_are_flagged() -> None:
    found = run(DETECTOR, facts(priced(*STEP, 1_160_000, 1_230_000)))
    assert who(found) == [(org(1), org(2), org(3))]
    assert found[0].facts == {
        "mode": "arithmetic",
        "step": "37521",
        "prices": [str(p) for p in STEP],
    }
    assert found[0].message == "3 bids of lot L1 form an arithmetic progression (step 37521)"
    chance = found[0].scores["chance"]
    assert found[0].confidence == round(0.85 * (1 - chance), 4)
    golden("regular_price_difference", found)
    lot1 = facts(priced(*STEP, 1_160_000, 1_230_000))
    assert run(DETECTOR, lot1, lot_max_chance=chance) != []
    assert run(DETECTOR, lot1, lot_max_chance=chance * 0.999) == []


def test_a_geometric_progression_names_its_ratio() -> None:
    ring = [round(1_234_567.3 * 1.03**k) for k in range(4)]
    found = run(DETECTOR, facts(priced(*ring, 1_150_000, 1_420_000)))
    assert [f.facts["mode"] for f in found] == ["geometric"]
    assert found[0].facts["step"] == f"{ring[1] / ring[0]:.6f}"
    assert found[0].message.startswith("4 bids of lot L1 form a geometric progression")
    golden("regular_price_difference_geometric", found)


def test_the_number_of_terms_is_a_threshold_and_a_longer_chain_hides_its_parts() -> None:
    four = [1_000_017, 1_037_538, 1_075_059, 1_112_580]
    (found,) = progressions(priced(*four, 1_300_000), Settings())
    assert len(found.bids) == 4
    assert progressions(priced(*four, 1_300_000), Settings(min_terms=4)) != []
    assert progressions(priced(*four, 1_300_000), Settings(min_terms=5)) == []
    assert progressions(priced(*STEP[:2]), Settings()) == []


def test_a_term_off_the_line_a_zero_price_and_round_prices_are_not_flagged() -> None:
    off = [STEP[0], STEP[1], STEP[2] + 40]
    assert run(DETECTOR, facts(priced(*off, 1_160_000, 1_230_000))) == []
    assert progressions(priced(0, *STEP), Settings())[0].mode == "arithmetic"
    assert run(DETECTOR, facts(priced(98_000, 99_000, 100_000, 103_500))) == []
    loose = Settings(lot_max_chance=1.0)
    assert progressions(priced(*off, 1_160_000, 1_230_000), loose) == []
    slack = Settings(tolerance=0.01, lot_max_chance=1.0)
    assert progressions(priced(*off, 1_160_000, 1_230_000), slack) != []


def offsets(
    count: int, *, mode: str = "difference", start: int = 0, base: int = 1_000_000
) -> list[LotFacts]:
    """Lots where supplier 2 prices a fixed 23 456.78 (or 3.17%) above supplier 1."""
    lots = []
    for i in range(start, start + count):
        a = Decimal(base + 104_729 * i) + Decimal("0.13")
        b = a + Decimal("23456.78") if mode == "difference" else (a * Decimal("1.0317"))
        b = b.quantize(Decimal("0.01"))
        c = (a * Decimal("1.4") + 9173 * i * i + 7 * i).quantize(Decimal("0.01"))
        prices: dict[int, int | str] = {1: str(a), 2: str(b), 3: str(c)}
        lots.append(contest(f"H{i}", prices, day=date(2024, 1 + i, 1)))
    return lots


def over(lots: list[LotFacts], **settings: float) -> list[Finding]:
    return run(DETECTOR, Facts(history=history(*lots)), **settings)


def test_a_pair_keeping_a_fixed_difference_across_three_lots_is_flagged() -> None:
    found = over(offsets(3))
    assert who(found) == [(org(1), org(2))]
    assert found[0].facts == {
        "offsets": [{"suppliers": [org(1), org(2)], "mode": "difference", "value": "23456.78"}]
    }
    assert found[0].lots == ("lot:H0", "lot:H1", "lot:H2")
    assert (
        found[0].message
        == "2 bidders keep a fixed price difference (23456.78) from one another in 3 lots"
    )
    golden("regular_price_difference_offsets", found)
    chance = found[0].scores["chance"]
    assert over(offsets(3), max_chance=chance) != []
    assert over(offsets(3), max_chance=chance * 0.999) == []
    assert over(offsets(2)) == []
    assert over(offsets(3), min_lots=4) == []


def test_a_fixed_ratio_is_found_and_a_drifting_offset_is_not() -> None:
    found = over(offsets(3, mode="ratio"))
    assert [o["mode"] for f in found for o in f.facts["offsets"]] == ["ratio"]
    assert found[0].facts["offsets"][0]["value"].startswith("1.0317")
    golden("regular_price_difference_ratio", found)
    drifting = offsets(2) + offsets(1, start=5, base=1_000_100)
    shifted = [
        contest(x.key, {1: str(x.bids[0].price), 2: str(x.bids[1].price + 7 * k)}, day=x.day)
        for k, x in enumerate(drifting)
    ]
    assert over(shifted) == []


def test_offsets_only_among_the_suppliers_in_focus_and_none_without_history() -> None:
    h = history(*offsets(3))
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(1), org(3)}))) == []
    assert run(DETECTOR, Facts(history=h, focus=frozenset({org(1), org(2)}))) != []
    assert run(DETECTOR, Facts()) == []


def test_a_lot_of_exactly_the_minimum_number_of_bids_can_be_a_progression() -> None:
    assert [len(p.bids) for p in progressions(priced(*STEP), Settings())] == [3]


def test_equal_prices_are_no_step_and_do_not_stop_the_search() -> None:
    odd = 1_043_717
    assert progressions(priced(odd, odd, odd, 1_100_000), Settings(lot_max_chance=1.0)) == []
    found = progressions(priced(STEP[0], STEP[0], STEP[1], STEP[2]), Settings())
    assert [sorted(int(b.price) for b in p.bids) for p in found] == [STEP, STEP]  # one each


def test_one_set_of_bids_in_both_progressions_is_one_finding_judged_on_the_floor() -> None:
    # Five prices a yuan apart: arithmetic and (within rounding) geometric at once; their
    # spread is far below 1% of the price, so the floor is the scale they are judged on.
    close = priced(*range(1_000_017, 1_000_022))
    found = progressions(close, Settings())
    assert [len(p.bids) for p in found] == [5]
    golden("regular_price_difference_close", run(DETECTOR, facts(close)))


def test_the_chance_of_a_four_term_progression_multiplies_each_later_terms_density() -> None:
    four = [1_000_017, 1_037_538, 1_075_059, 1_112_580]
    prices = [*four, 1_300_000]
    (found,) = progressions(priced(*prices), Settings())
    sigma = spread_scale([float(p) for p in prices], 0.01 * median([float(p) for p in prices]))
    density = [1 / math.sqrt(2 * math.pi * (1 + (m - 1) ** 2 + m**2)) for m in (2, 3)]
    assert found.chance == pytest.approx(5 * density[0] / sigma * density[1] / sigma)


def test_a_term_within_the_slack_counts_its_miss_and_a_likely_progression_is_capped() -> None:
    off = [STEP[0], STEP[1], STEP[2] + 40]
    slack = facts(priced(*off, 1_160_000, 1_230_000))
    found = run(DETECTOR, slack, tolerance=0.01, lot_max_chance=1.0)
    assert [f.facts["prices"] for f in found] == [[str(p) for p in off]]
    golden("regular_price_difference_slack", found)
    likely = run(DETECTOR, facts(priced(98_000, 99_000, 100_000, 103_500)), lot_max_chance=10.0)
    assert likely and all(f.scores["chance"] <= 4.0 for f in likely)
    golden("regular_price_difference_likely", likely)


def test_a_pair_met_too_rarely_or_a_bid_without_price_does_not_stop_or_make_an_offset() -> None:
    rare = contest("H9", {1: "1000000.13", 10: "1017000.00"}, day=date(2023, 1, 1))
    assert who(over([rare, *offsets(3)])) == [(org(1), org(2))]  # (S1, S10) is judged first
    unpriced = [
        contest(
            x.key, {**{int(b.supplier.removeprefix("org:S")): str(b.price) for b in x.bids}, 9: 0}
        )
        for x in offsets(3)
    ]
    assert who(over(unpriced)) == [(org(1), org(2))]  # 0 against every price: no ratio


def test_prices_below_one_yuan_can_be_a_geometric_progression() -> None:
    loose = Settings(lot_max_chance=1.0)
    assert [p.mode for p in progressions(priced("0.20", "0.40", "0.80", "0.95"), loose)] == [
        "geometric"
    ]
