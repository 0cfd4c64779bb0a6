"""The detector registry (discovered from the detectors package), its settings (each
detector's defaults, overridden by a file), and the small exact statistics the detectors test
against (no database)."""

from __future__ import annotations

import importlib
import math
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from credit.detection import detectors, registry
from credit.detection.common import (
    binomial_tail,
    granularity,
    poisson_binomial_tail,
    poisson_tail,
)
from credit.detection.registry import (
    DETECTORS,
    SETTINGS_FILE,
    SettingsError,
    detector_modules,
    discover,
    load_settings,
)
from credit.markets import simulate

TESTS = Path(__file__).parent / "detectors"


def test_the_registry_is_every_detector_module_each_with_its_basis_inputs_and_reason() -> None:
    folder = Path(detectors.__file__).parent
    files = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    modules = detector_modules()
    assert [m.__name__.rsplit(".", 1)[1] for m in modules] == files
    assert {m.DETECTOR.id for m in modules} == {d.id for d in DETECTORS}
    assert len(DETECTORS) == len(files) >= 20
    settings = load_settings()
    for d in DETECTORS:
        assert d.title and d.reads and d.phases, d.id
        assert "—" in d.basis, f"{d.id}: the basis gives the Chinese text and the English"
        assert d.why.startswith(d.id) and "Why" in d.why, f"{d.id}: say why it signals collusion"
        assert settings.of(d.id).enabled


def test_the_registry_order_is_the_order_each_detector_declares() -> None:
    assert list(DETECTORS) == sorted(DETECTORS, key=lambda d: (d.order, d.id))
    assert DETECTORS[0].id == "SAME_CONTROLLER" and DETECTORS[-1].id == "COBIDDING_COMMUNITY"


def test_every_detector_module_has_its_own_pure_test_file() -> None:
    missing = [
        m.__name__
        for m in detector_modules()
        if not (TESTS / f"test_{m.__name__.rsplit('.', 1)[1]}.py").is_file()
    ]
    assert missing == []


_TEMPLATE = (
    "from credit.detection.detector import Detector, DetectorSettings, Phase, Reads\n"
    "from credit.detection.planting import Plant, Wave\n"
    "class Settings(DetectorSettings):\n    confidence: float = 0.5\n"
    "def plant(m):\n    m.record({id!r}, None, m.pair())\n"
    "DETECTOR = Detector(id={id!r}, title='t', basis='b — b', reads=frozenset({{Reads.LOTS}}),"
    " phases=frozenset({{Phase.LOT}}), settings=Settings, detect=lambda f, s: [], why='w',"
    " order={order}{plants})\n"
)
_PLANTS = ", plants=(Plant(Wave.CASES, plant),)"


def dropped_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **modules: str) -> Path:
    """A detectors package of the given modules (name: id) that the registry discovers."""
    package = tmp_path / "more_detectors"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for order, (name, detector_id) in enumerate(modules.items(), start=5):
        text = _TEMPLATE.format(id=detector_id, order=order, plants=_PLANTS)
        (package / f"{name}.py").write_text(text, encoding="utf-8")
    for cached in [m for m in sys.modules if m.split(".")[0] == package.name]:
        monkeypatch.delitem(sys.modules, cached)  # another test's package of that name
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "detectors", importlib.import_module(package.name))
    return package


def test_a_module_dropped_into_the_package_is_discovered_in_its_declared_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = dropped_in(tmp_path, monkeypatch, zeta="ZETA", alpha="ALPHA")
    (package / "_helpers.py").write_text("VALUE = 1\n", encoding="utf-8")
    assert [d.id for d in discover()] == ["ZETA", "ALPHA"]
    (package / "broken.py").write_text("VALUE = 2\n", encoding="utf-8")
    with pytest.raises(TypeError, match=r"more_detectors\.broken: a detector module defines"):
        discover()


def test_a_detector_that_plants_no_case_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = dropped_in(tmp_path, monkeypatch, zeta="ZETA")
    bare = _TEMPLATE.format(id="BARE", order=7, plants="")
    (package / "bare.py").write_text(bare, encoding="utf-8")
    with pytest.raises(TypeError, match=r"more_detectors\.bare: BARE plants no case"):
        discover()


def test_the_simulated_market_plants_every_registered_detector_and_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a detector is its module: the market plants its case, no list names it."""
    dropped_in(tmp_path, monkeypatch, zeta="ZETA")
    monkeypatch.setattr(simulate, "DETECTORS", (*DETECTORS, *discover()))
    market = simulate.Market(7, 120)
    market.build()
    assert {t.pattern for t in market.truth} == {d.id for d in DETECTORS} | {"ZETA"}
    assert all(d.plants for d in DETECTORS)


def test_the_packaged_settings_are_the_defaults_and_a_file_overrides_single_keys(
    tmp_path: Path,
) -> None:
    shipped = load_settings()
    defaults = {d.id: d.settings() for d in DETECTORS}
    assert dict(shipped.by_id) == defaults
    (tmp_path / "settings.toml").write_text(
        'version = "site-1"\n[DIRECT_HOLDING]\nmin_share = 0.3\n', encoding="utf-8"
    )
    site = load_settings(tmp_path / "settings.toml")
    assert site.version == "site-1"
    assert site.of("DIRECT_HOLDING").model_dump() == {
        **defaults["DIRECT_HOLDING"].model_dump(),
        "min_share": 0.3,
    }
    assert all(site.of(d.id) == defaults[d.id] for d in DETECTORS if d.id != "DIRECT_HOLDING")


def test_a_settings_file_naming_an_unknown_detector_key_or_a_bad_value_is_refused(
    tmp_path: Path,
) -> None:
    bad = (
        SETTINGS_FILE.read_text(encoding="utf-8")
        + '\n[DIRECT_HOLDING]\nmin_share = "half"\n'
        + "\n[SAME_AGENT]\nconfidance = 0.5\n"
        + "\n[NO_SUCH]\nenabled = true\n"
    )
    (tmp_path / "settings.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path / "settings.toml")
    assert "DIRECT_HOLDING.min_share: float_parsing" in str(caught.value)
    assert "SAME_AGENT.confidance: extra_forbidden" in str(caught.value)
    assert "NO_SUCH: unknown_detector" in str(caught.value)
    (tmp_path / "settings.toml").write_text("[SAME_AGENT]\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="version: required"):
        load_settings(tmp_path / "settings.toml")


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
