"""The detector registry and its settings file, and the small exact statistics the detectors
test against (no database)."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest

from credit.detection.common import (
    binomial_tail,
    granularity,
    poisson_binomial_tail,
    poisson_tail,
)
from credit.detection.registry import DETECTORS, SETTINGS_FILE, SettingsError, load_settings

REQUIRED = {
    "SAME_CONTROLLER",
    "DIRECT_HOLDING",
    "COMMON_CONTROLLER",
    "SAME_PREPARER",
    "SAME_AGENT",
    "SHARED_CONTACT",
    "SAME_DEPOSIT_ACCOUNT",
    "SAME_DEVICE",
    "REGULAR_PRICE_DIFFERENCE",
    "IDENTICAL_PRICES",
    "BID_ROTATION",
    "COVER_BIDDING",
    "BID_SUPPRESSION",
    "EXPERT_CONFLICT",
    "SUCCESSOR_OF_DEBARRED",
    "BUYER_CAPTURE",
    "BID_SCREEN",
    "STAFF_CROSSOVER",
    "GROUP_INSTRUCTION",
    "COBIDDING_COMMUNITY",
    "MIXED_DOCUMENTS",
}
FIXTURES = "".join(
    (Path(__file__).parent / name).read_text(encoding="utf-8")
    for name in (
        "test_detect_lot_rules.py",
        "test_detect_history_rules.py",
        "test_detect_staff_groups.py",
        "test_detect_deposits_platform.py",
        "test_detect_mixed_documents.py",
    )
)


def test_the_registry_has_every_required_detector_with_its_basis_inputs_and_reason() -> None:
    assert {d.id for d in DETECTORS} == REQUIRED
    settings = load_settings()
    for d in DETECTORS:
        assert d.title and d.reads and d.phases, d.id
        assert "—" in d.basis, f"{d.id}: the basis gives the Chinese text and the English"
        assert d.why.startswith(d.id) and "Why" in d.why, f"{d.id}: say why it signals collusion"
        assert settings.of(d.id).enabled


def test_every_detector_has_fixture_tests() -> None:
    missing = [d.id for d in DETECTORS if f'"{d.id}"' not in FIXTURES]
    assert missing == []


def test_a_settings_file_naming_an_unknown_detector_or_a_bad_value_is_refused(
    tmp_path: Path,
) -> None:
    text = SETTINGS_FILE.read_text(encoding="utf-8")
    bad = (
        text.replace("min_share = 0.5\n", 'min_share = "half"\n', 1)
        + "\n[NO_SUCH]\nenabled = true\n"
    )
    (tmp_path / "settings.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path / "settings.toml")
    assert "DIRECT_HOLDING.min_share: float_parsing" in str(caught.value)
    assert "NO_SUCH: unknown_detector" in str(caught.value)


def test_the_small_sample_statistics_match_exact_values() -> None:
    assert poisson_tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * 2.5)
    assert poisson_tail(40, 1.0) == pytest.approx(math.exp(-1) / math.factorial(40), rel=1e-6)
    assert binomial_tail(2, 3, 0.5) == pytest.approx(0.5)
    assert poisson_binomial_tail(1, [0.5, 0.5]) == pytest.approx(0.75)
    assert poisson_binomial_tail(3, [0.5, 0.5]) == 0.0


def test_the_rounding_of_prices_is_read_from_their_digits() -> None:
    assert granularity([Decimal("4712300"), Decimal("100")]) == 100
    assert granularity([Decimal("4712300"), Decimal("4712301")]) == 1
    assert granularity([Decimal("1234567.89")]) == Decimal("0.01")
