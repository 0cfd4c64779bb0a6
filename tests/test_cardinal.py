"""Parity tests: our cardinal indicators against cardinal-rs' own fixtures.

Fixtures are copied from open-contracting/cardinal-rs ``tests/fixtures/indicators/`` (see
``tests/fixtures/cardinal/README.md``). Settings are derived from each fixture's name exactly as
cardinal's ``build.rs`` does, with ``no_price_comparison_procurement_methods = "NPC"`` and
``[exclusions] procurement_method_details = "EXC"``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
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
    read_lines,
    report,
    run,
)
from credit.detection.cardinal._common import (
    num_days,
    parse_pipe_separated_value,
    parse_rfc3339_ns,
    quantile,
)
from credit.detection.cardinal.parallel import report_file
from credit.detection.cardinal.settings import SettingsError, parse_settings

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
    done = run_cli("indicators", "--no-meta", str(fixture))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == run(
        json.loads(line) for line in fixture.read_text().splitlines() if line.strip()
    )


# Settings files, bad lines and standard input, as cardinal documents them.

DOCS = FIXTURES / "docs"


def indicators(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`credit indicators` as its console script runs it (the light entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "credit.entry", "indicators", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


# The documented commands of docs/cli/indicators/R/*.md and their documented output.
DOCUMENTED = [
    ("024.ini", "024", {"OCID": {"F": {"R024": 1.0}}, "Tenderer": {"W": {"R024": 0.0}, "L": {"R024": 0.0}}}),  # noqa: E501
    ("025.ini", "025", {"Tenderer": {"F": {"R025": 0.16666666666666666}}}),
    ("030.ini", "030", {"OCID": {"F": {"R030": 1.0}}, "Tenderer": {"W": {"R030": 1.0}}}),
    ("035.ini", "035", {"OCID": {"F": {"R035": 1.0}}, "Tenderer": {"V": {"R035": 0.0}}}),
    ("048.ini", "048", {"Tenderer": {"F": {"R048": 2.0}}}),
    ("settings.ini", "003", {"OCID": {"F": {"R003": 1.0}}}),
    ("settings.ini", "018", {"OCID": {"F": {"R018": 1.0}}}),
    ("settings.ini", "028", {"OCID": {"F": {"R028": 1.0}}, "Tenderer": {"D": {"R028": 1.0}, "V": {"R028": 1.0}}}),  # noqa: E501
    ("settings.ini", "036", {"OCID": {"F": {"R036": 1.0}}}),
    ("settings.ini", "038", {"Buyer": {"B": {"R038": 0.5}}}),
    ("settings.ini", "058", {"OCID": {"F": {"R058": 99.0}}, "Tenderer": {"W": {"R058": 0.0}}}),
]  # fmt: skip


@pytest.mark.parametrize(("ini", "data", "output"), DOCUMENTED)
def test_documented_commands_give_documented_output(
    ini: str, data: str, output: dict[str, Any]
) -> None:
    done = indicators("--settings", str(DOCS / ini), "--no-meta", str(DOCS / f"{data}.jsonl"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == output
    assert done.stdout.count(b"\n") == 1 and b" " not in done.stdout  # one compact line


def test_meta_is_printed_unless_no_meta() -> None:
    # docs/cli/indicators/index.md: "Meta" has the quartiles and fences, rounded to 4 decimals.
    done = indicators("-s", str(DOCS / "settings.ini"), str(DOCS / "058.jsonl"))
    assert done.returncode == 0, done.stderr
    meta = json.loads(done.stdout)["Meta"]
    assert meta["R058"] == {"q1": 1.0, "q3": 33.6667, "upper_fence": 82.6667}
    assert meta["R024"] == {"q1": 1.0, "q3": 33.6667, "lower_fence": -48.0}
    # No data for a quartile: statrs gives NaN, which serde_json prints as null.
    assert meta["R048"] == {"q1": None, "q3": None, "upper_fence": None}


def test_standard_input_is_dash() -> None:
    data = (DOCS / "024.jsonl").read_bytes()
    done = indicators("-s", str(DOCS / "024.ini"), "--no-meta", "-", stdin=data)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == DOCUMENTED[0][2]


def test_bad_lines_are_skipped_with_a_warning_naming_them(tmp_path: Path) -> None:
    good = (DOCS / "036.jsonl").read_bytes().splitlines()
    lines = [
        b"{",  # cardinal: "EOF while parsing an object"
        *good,
        b"   ",  # blank: skipped silently
        b"not json",
        b'{"ocid": "N", "x": NaN}',  # NaN and Infinity are not JSON
        b'{"ocid": "I", "x": Infinity}',
        b"\xff\xfe",  # not UTF-8
    ]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = indicators("-s", str(DOCS / "settings.ini"), "--no-meta", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"OCID": {"F": {"R036": 1.0}}}
    warnings = done.stderr.decode().splitlines()
    n = len(good)
    assert [w.split(">", 1)[1].split("[")[0].strip() for w in warnings] == [
        "Line 1 is invalid JSON, skipping.",
        f"Line {n + 3} is invalid JSON, skipping.",
        f"Line {n + 4} is invalid JSON, skipping.",
        f"Line {n + 5} is invalid JSON, skipping.",
        f"Line {n + 6} caused an I/O error, skipping.",
    ]


def _r036(amount: bytes) -> bytes:
    return (
        b'{"ocid": "F", "awards": [{"status": "active"}], "bids": {"details": ['
        b'{"status": "disqualified", "value": {"amount": ' + amount + b', "currency": "USD"}},'
        b'{"status": "valid", "value": {"amount": 200, "currency": "USD"}}]}}'
    )


@pytest.mark.parametrize("amount", [b"1" + b"0" * 400, b"1e400", b"-1e400"])
def test_amounts_beyond_a_double_are_no_amount(amount: bytes) -> None:
    # serde_json (arbitrary_precision) parses the line; as_f64() gives None: not a bid amount.
    done = indicators("-s", str(DOCS / "settings.ini"), "--no-meta", "-", stdin=_r036(amount))
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert json.loads(done.stdout) == {}
    # The same release with a finite amount is flagged.
    done = indicators("-s", str(DOCS / "settings.ini"), "--no-meta", "-", stdin=_r036(b"1"))
    assert json.loads(done.stdout) == {"OCID": {"F": {"R036": 1.0}}}


def test_settings_sections_and_keys() -> None:
    text = """
; comments with a semicolon
# or a number sign
currency = USD
no_price_comparison_procurement_methods = Random Selection|Sorteo de Obras
price_comparison_procurement_methods = "Reverse Auction"

[output]
info_currency_mismatches = true

[defaults]
currency = USD
party_roles = yes

[codelists.bid_status]
qualified = valid

[exclusions]
procurement_method_details = Random Selection

[R003]
threshold = 15
procurement_methods = open|selective|limited

[R003.procurement_method_details]
emergency = 10
international = 25

[R024]
threshold = 0.05

[R025]
percentile = 75
threshold = 0.05

[R035]
threshold = 1

[R038]
threshold = 0.5
minimum_submitted_bids = 2
minimum_contracting_processes = 2

[R048]
digits = 2
threshold = 10
minimum_contracting_processes = 20

[R058]
threshold = 0.5
"""
    settings = parse_settings(text)
    assert settings.currency == "USD"
    assert settings.no_price_comparison_procurement_methods == "Random Selection|Sorteo de Obras"
    assert settings.price_comparison_procurement_methods == "Reverse Auction"
    assert settings.info_currency_mismatches is True
    assert settings.exclusions_procurement_method_details == "Random Selection"
    sections = [settings.R003, settings.R024, settings.R025, settings.R035]
    assert sections == [
        R003Settings(15, "open|selective|limited", {"emergency": 10, "international": 25}),
        FloatThreshold(0.05),
        R025Settings(75, 0.05),
        IntegerThreshold(1),
    ]
    assert [
        R038Settings(0.5, 2, 2),
        R048Settings(2, 10, 20),
        FloatThreshold(0.5),
    ] == [settings.R038, settings.R048, settings.R058]
    assert settings.R018 is None and settings.R028 is None  # sections absent: not run


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[R024]\nthreshold = abc\n", 'R024.threshold: type: invalid type: string "abc"'),
        ("[R035]\nthreshold = -1\n", "R035.threshold: range:"),
        ("[R024]\nthreshhold = 1\n", "R024.threshhold: unknown: unknown field `threshhold`"),
        ("[R999]\n", "R999: unknown:"),
        ("[exclusions]\ntenderers = X\n", "exclusions.tenderers: unknown:"),
        (
            "[R003.procurement_method_details]\nx = soon\n",
            "R003.procurement_method_details.x: type:",
        ),
        ("[R024\n", "settings: ini: line 1"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(text)
    assert str(caught.value).startswith(message)


def test_bad_settings_file_exits_2_with_the_field(tmp_path: Path) -> None:
    ini = tmp_path / "bad.ini"
    ini.write_text("[R024]\nthreshold = abc\n")
    done = indicators("--settings", str(ini), str(DOCS / "024.jsonl"))
    assert done.returncode == 2
    assert b"R024.threshold: type:" in done.stderr and done.stdout == b""


def test_per_procurement_method_details_thresholds(tmp_path: Path) -> None:
    # [R003.procurement_method_details]: a threshold per value of procurementMethodDetails.
    releases = [
        {
            "ocid": ocid,
            "tender": {
                "procurementMethod": "open",
                "procurementMethodDetails": details,
                "tenderPeriod": {"startDate": "2024-01-01T00:00:00Z", "endDate": end},
            },
        }
        for ocid, details, end in [
            ("A", "emergency", "2024-01-08T00:00:00Z"),  # 7 days < 10: flagged
            ("B", "emergency", "2024-01-12T00:00:00Z"),  # 11 days: not
            ("C", "international", "2024-01-21T00:00:00Z"),  # 20 days < 25: flagged
            ("D", "other", "2024-01-21T00:00:00Z"),  # 20 days, default 15: not
            ("E", "Random Selection", "2024-01-02T00:00:00Z"),  # excluded
        ]
    ]
    path = tmp_path / "r003.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in releases) + "\n")
    ini = tmp_path / "r003.ini"
    ini.write_text(
        "[exclusions]\nprocurement_method_details = Random Selection\n[R003]\n"
        "[R003.procurement_method_details]\nemergency = 10\ninternational = 25\n"
    )
    done = indicators("-s", str(ini), "--no-meta", str(path))
    assert json.loads(done.stdout) == {"OCID": {"A": {"R003": 1.0}, "C": {"R003": 1.0}}}


def test_currency_mismatches_warn_unless_info(tmp_path: Path) -> None:
    data = _r036(b"1").replace(b'"USD"}},{"status": "valid"', b'"EUR"}},{"status": "valid"')
    ini = tmp_path / "s.ini"
    ini.write_text("currency = USD\n[R036]\n")
    done = indicators("-s", str(ini), "--no-meta", "-", stdin=data)
    assert b'EUR is not Some("USD"), skipping.' in done.stderr
    ini.write_text("currency = USD\n[output]\ninfo_currency_mismatches = true\n[R036]\n")
    done = indicators("-s", str(ini), "--no-meta", "-", stdin=data)
    assert done.stderr == b""


def test_parallel_file_equals_one_pass(tmp_path: Path) -> None:
    # Several processes, as cardinal's threads: same results, Meta, currency and line numbers.
    lines = [
        line for name in NAMES for line in (FIXTURES / f"{name}.jsonl").read_bytes().splitlines()
    ]
    lines.insert(len(lines) * 3 // 4, b"{broken")
    path = tmp_path / "all.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    one_pass: list[str] = []
    parallel: list[str] = []
    settings = parse_settings((DOCS / "settings.ini").read_text())
    expected_report = report(
        read_lines(path.read_bytes().splitlines(), one_pass.append), settings, one_pass.append
    )
    found = report_file(path, settings, parallel.append, jobs=3, min_parallel_bytes=0)
    assert found.results == expected_report.results
    assert found.meta.keys() == expected_report.meta.keys()
    for code, values in found.meta.items():
        for key, value in values.items():
            other = expected_report.meta[code][key]
            assert value == pytest.approx(other) or (math.isnan(value) and math.isnan(other))
    assert parallel == one_pass and any("is invalid JSON" in w for w in parallel)
