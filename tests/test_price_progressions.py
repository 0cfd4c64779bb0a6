"""REGULAR_PRICE_DIFFERENCE within a lot: progressions whose terms carry their own rounding,
exact short progressions in crowded lots, near-misses, and the accidental-flag rate that
`credit evaluate` reports next to recall. The rule is pure: these tests call it on facts."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from credit.detection.detectors.regular_price_difference import Settings, progressions
from credit.detection.evaluate import Score, accidental_flags, table
from credit.detection.facts import BidFact, LotFacts
from credit.detection.registry import DetectionSettings, load_settings

SETTINGS = Settings(
    enabled=True,
    confidence=0.85,
    min_terms=3,
    min_lots=3,
    tolerance=0.00001,
    min_spread=0.01,
    max_chance=0.0001,
    lot_max_chance=0.001,
)


def lot(*prices: str | Decimal | int) -> LotFacts:
    opened = datetime(2024, 1, 1, tzinfo=UTC)
    bids = tuple(
        BidFact(f"bid-{k}", f"S{k}", Decimal(str(p)), "CNY", "VALID", opened)
        for k, p in enumerate(prices)
    )
    return LotFacts("L", "L", "P", "P", None, None, None, None, date(2024, 1, 1), None, bids)


def members(found: LotFacts) -> list[set[str]]:
    return [{b.price.to_eng_string() for b in p.bids} for p in progressions(found, SETTINGS)]


def geometric(p0: float, r: float, terms: int) -> list[int]:
    """Each term rounded to the whole yuan: term k = round(p0 * r^k)."""
    return [round(p0 * r**k) for k in range(terms)]


@pytest.mark.parametrize("r", [1.01, 1.023, 1.037, 1.05])
@pytest.mark.parametrize("p0", [123_456.7, 1_234_567.3, 8_765_432.1])
def test_geometric_terms_rounded_to_the_yuan_are_found(p0: float, r: float) -> None:
    ring = geometric(p0, r, 5)
    others = [round(p0 * 0.97) + 13, round(p0 * 1.31) + 7]
    (found, *_) = progressions(lot(*ring, *others), SETTINGS)
    assert found.mode == "geometric"
    assert sorted(int(b.price) for b in found.bids) == ring


def test_five_rounded_terms_in_a_lot_spread_over_two_percent() -> None:
    ring = geometric(987_654.3, 1.005, 5)  # the whole lot spreads 2%
    (found, *_) = progressions(lot(*ring), SETTINGS)
    assert sorted(int(b.price) for b in found.bids) == ring
    assert found.chance < 1e-6


@pytest.mark.parametrize("crowd", [7, 8, 9])
def test_an_exact_three_term_progression_in_a_crowded_lot(crowd: int) -> None:
    rng = random.Random(crowd)
    budget = 2_345_000
    ring = [2_100_017, 2_137_538, 2_175_059]  # an exact step of 37 521 yuan
    others = [int(round(budget * rng.gauss(0.9, 0.05), -2)) for _ in range(crowd - 3)]
    found = progressions(lot(*ring, *others), SETTINGS)
    assert {int(b.price) for b in found[0].bids} == set(ring)
    assert found[0].mode == "arithmetic"


def test_a_term_off_by_more_than_rounding_is_not_a_term() -> None:
    ring = geometric(1_234_567.3, 1.03, 3)
    ring[2] += 40  # 40 yuan beyond the line: more than the three terms' rounding can make
    assert members(lot(*ring, 1_150_000, 1_420_000)) == []


def test_round_prices_close_together_are_no_progression() -> None:
    # Prices to the thousand lie on a coarse grid: three in step is no surprise.
    assert members(lot(98_000, 99_000, 100_000, 103_500)) == []
    # Nor three prices to the hundred in a crowded lot.
    assert members(lot(2_100_000, 2_137_500, 2_175_000, 2_050_000, 2_400_000, 1_990_000)) == []


def test_an_inexact_three_term_progression_in_a_crowded_lot_is_not_flagged() -> None:
    # 9 bids to the yuan, the middle one 30 yuan off the midpoint: accidental near-lines
    # are common among 84 triples.
    ring = [2_100_017, 2_137_568, 2_175_059]
    others = [1_995_311, 2_031_877, 2_222_903, 2_260_441, 2_299_123, 2_348_771]
    assert members(lot(*ring, *others)) == []


def test_mixed_rounding_is_judged_on_the_coarse_grid() -> None:
    # Two prices to the hundred fix the step; the third sits within that grid's rounding.
    assert members(lot(283_300, 290_900, 298_543, 250_000, 330_000)) == []


def detection_settings(lot_max_chance: float) -> DetectionSettings:
    base = load_settings()
    by_id = dict(base.by_id)
    by_id["REGULAR_PRICE_DIFFERENCE"] = by_id["REGULAR_PRICE_DIFFERENCE"].model_copy(
        update={"lot_max_chance": lot_max_chance}
    )
    return replace(base, by_id=by_id)


def test_accidental_flags_grow_with_the_threshold() -> None:
    strict = accidental_flags(detection_settings(1e-6), lots=3000, seed=1)
    shipped = accidental_flags(detection_settings(1e-3), lots=3000, seed=1)
    loose = accidental_flags(detection_settings(0.5), lots=3000, seed=1)
    pattern = "REGULAR_PRICE_DIFFERENCE"
    assert strict[pattern] <= shipped[pattern] < loose[pattern]
    assert shipped[pattern] <= 1000  # at most 1 lot in 100 of a market without collusion
    assert loose[pattern] > 1000
    assert "IDENTICAL_PRICES" in shipped


def test_the_evaluation_table_shows_the_accidental_rate_next_to_recall() -> None:
    scores = {"REGULAR_PRICE_DIFFERENCE": Score("REGULAR_PRICE_DIFFERENCE", 10, 9, 9)}
    text = table(
        scores, ["REGULAR_PRICE_DIFFERENCE", "SAME_AGENT"], {"REGULAR_PRICE_DIFFERENCE": 210.0}
    )
    header, _, row, other = text.splitlines()
    assert header.endswith("| accidental / 100k lots |")
    assert row == "| REGULAR_PRICE_DIFFERENCE | 10 | 9 | 9 | 1.000 | 0.900 | 0.947 | 210 |"
    assert other.endswith("| — |")
