"""Parity tests: our cardinal indicators against cardinal-rs' own fixtures.

Fixtures are copied from open-contracting/cardinal-rs ``tests/fixtures/indicators/`` (see
``tests/fixtures/cardinal/README.md``). Settings are derived from each fixture's name exactly as
cardinal's ``build.rs`` does, with ``no_price_comparison_procurement_methods = "NPC"`` and
``[exclusions] procurement_method_details = "EXC"``.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from credit.detection.cardinal import (
    INDICATORS,
    Empty,
    FloatThreshold,
    IntegerThreshold,
    R003Settings,
    R018Settings,
    R025Settings,
    R038Settings,
    R048Settings,
    Settings,
    run,
)
from credit.detection.cardinal._common import (
    num_days,
    parse_pipe_separated_value,
    parse_rfc3339_ns,
    quantile,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cardinal"

SECTIONS: dict[str, type[Any]] = {
    "R003": R003Settings,
    "R018": R018Settings,
    "R024": FloatThreshold,
    "R025": R025Settings,
    "R028": Empty,
    "R030": Empty,
    "R035": IntegerThreshold,
    "R036": Empty,
    "R038": R038Settings,
    "R048": R048Settings,
    "R058": FloatThreshold,
}

NAMES = sorted(
    path.stem for path in FIXTURES.glob("*.jsonl") if path.stem.split("-")[0] in INDICATORS
)


def settings_for(name: str) -> tuple[str, Settings]:
    """Mirror cardinal-rs ``build.rs``: ``CODE[-field-value | -field-k1-v1-k2-v2...]``."""
    code, *parts = name.replace("+", "|").split("-")
    section = SECTIONS[code]
    if len(parts) < 2:
        value = section()
    elif len(parts) == 2:
        field, raw = parts
        value = section(**{field: int(raw) if raw.isdigit() else raw})
    else:
        field, *pairs = parts
        mapping = {key: int(raw) for key, raw in zip(pairs[::2], pairs[1::2], strict=True)}
        value = section(**{field: mapping})
    settings = Settings(
        no_price_comparison_procurement_methods="NPC",
        exclusions_procurement_method_details="EXC",
    )
    return code, replace(settings, **{code: value})


def load(name: str) -> list[Any]:
    lines = (FIXTURES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def expected(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected").read_text("utf-8"))
    return result


def test_fixtures_cover_every_indicator() -> None:
    assert {name.split("-")[0] for name in NAMES} == set(INDICATORS)


@pytest.mark.parametrize("name", NAMES)
def test_run_matches_cardinal(name: str) -> None:
    _, settings = settings_for(name)
    assert run(load(name), settings) == expected(name)


@pytest.mark.parametrize("name", NAMES)
def test_indicator_matches_cardinal(name: str) -> None:
    code, settings = settings_for(name)
    assert INDICATORS[code](load(name), settings) == expected(name)


# cardinal-rs src/lib.rs `tests::matches_procurement_method_details` (rstest cases), via R036.
@pytest.mark.parametrize(
    ("value", "include", "exclude", "flagged"),
    [
        ("X", False, False, True),
        ("X", True, False, False),
        ("X", False, True, True),
        ("Y", False, False, True),
        ("Y", True, False, True),
        ("Y", False, True, True),
        ("N", False, False, True),
        ("N", True, False, False),
        ("N", False, True, False),
    ],
)
def test_matches_procurement_method_details(
    value: str, include: bool, exclude: bool, flagged: bool
) -> None:
    release = {
        "ocid": "F",
        "bids": {
            "details": [
                {"status": "disqualified", "value": {"amount": 1, "currency": "USD"}},
                {"status": "valid", "value": {"amount": 2, "currency": "USD"}},
            ]
        },
        "awards": [{"status": "active"}],
        "tender": {"procurementMethodDetails": value},
    }
    settings = Settings(
        price_comparison_procurement_methods="Y" if include else None,
        no_price_comparison_procurement_methods="N" if exclude else None,
        R036=Empty(),
    )
    assert run([release], settings) == ({"OCID": {"F": {"R036": 1.0}}} if flagged else {})


def test_quantile_matches_statrs() -> None:
    # statrs 0.16 `OrderStatistics` (R-8): h = (n + 1/3) * tau + 1/3.
    data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    # h = (8 + 1/3) * 0.25 + 1/3 = 29/12; 2nd value + (h - 2) * (3rd - 2nd).
    assert quantile(data, 0.25) == pytest.approx(29 / 12)
    assert quantile(data, 0.75) == pytest.approx(6.0 + ((8 + 1 / 3) * 0.75 + 1 / 3 - 6))
    assert quantile([3.0], 0.25) == 3.0
    assert math.isnan(quantile([], 0.5))


def test_parse_pipe_separated_value_is_split_terminator() -> None:
    assert parse_pipe_separated_value("") == set()
    assert parse_pipe_separated_value("a|") == {"a"}
    assert parse_pipe_separated_value("a||") == {"a", ""}
    assert parse_pipe_separated_value(None, "open|selective") == {"open", "selective"}


def test_rfc3339_is_strict() -> None:
    assert parse_rfc3339_ns("2000-01-01") is None
    assert parse_rfc3339_ns("2000-01-01T00:00:00") is None
    assert parse_rfc3339_ns("1970-01-01T01:00:00+01:00") == 0
    start = parse_rfc3339_ns("2000-01-02T00:00:00Z")
    end = parse_rfc3339_ns("2000-01-01T00:00:01Z")
    assert start is not None and end is not None
    assert num_days(start, end) == 0  # truncated toward zero, like chrono


def test_run_without_settings_uses_all_defaults() -> None:
    releases = load("R018")
    assert run(releases) == expected("R018")


def test_the_cli_prints_cardinals_output_for_an_ocds_file() -> None:
    from tests.conftest import run_cli

    fixture = next(FIXTURES.glob("R003*.jsonl"))
    done = run_cli("indicators", str(fixture))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == run(
        json.loads(line) for line in fixture.read_text().splitlines() if line.strip()
    )
