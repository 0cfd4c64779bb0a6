"""Open Contracting red-flag indicators, re-implemented from cardinal-rs.

Pure-Python equivalents of the ``indicators`` command of
https://github.com/open-contracting/cardinal-rs (MIT), over OCDS compiled releases (one
contracting process per release). ``run`` gives cardinal's output without ``Meta`` (as with
``--no-meta``): ``{"OCID": {ocid: {code: value}}, "Buyer": {...}, "ProcuringEntity": {...},
"Tenderer": {...}}``, with empty groups omitted; ``report`` adds ``Meta`` (quartiles and fences)
and reads line-delimited JSON as cardinal does (a bad line is skipped with a warning naming it).
Defaults equal cardinal's defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from credit.detection.cardinal._common import (
    BUYER,
    OCID,
    PROCURING_ENTITY,
    TENDERER,
    Calculator,
    Empty,
    FloatThreshold,
    IntegerThreshold,
    Meta,
    R003Settings,
    R018Settings,
    R025Settings,
    R038Settings,
    R048Settings,
    Result,
    Settings,
    State,
    parse_pipe_separated_value,
)
from credit.detection.cardinal._second_lowest import SecondLowestBidRatio
from credit.detection.cardinal.r003 import R003
from credit.detection.cardinal.r018 import R018
from credit.detection.cardinal.r024 import R024
from credit.detection.cardinal.r025 import R025
from credit.detection.cardinal.r028 import R028
from credit.detection.cardinal.r030 import R030
from credit.detection.cardinal.r035 import R035
from credit.detection.cardinal.r036 import R036
from credit.detection.cardinal.r038 import R038
from credit.detection.cardinal.r048 import R048
from credit.detection.cardinal.r058 import R058

__all__ = [
    "BUYER",
    "INDICATORS",
    "OCID",
    "PROCURING_ENTITY",
    "TENDERER",
    "Empty",
    "FloatThreshold",
    "IntegerThreshold",
    "Meta",
    "R003Settings",
    "R018Settings",
    "R025Settings",
    "R038Settings",
    "R048Settings",
    "Report",
    "Result",
    "Settings",
    "State",
    "read_lines",
    "report",
    "run",
]

# In cardinal's order of evaluation (src/lib.rs `add_indicators!`).
_CALCULATORS: dict[str, Callable[[Settings], Calculator]] = {
    "R003": R003,
    "R018": R018,
    "R024": R024,
    "R025": R025,
    "R028": R028,
    "R030": R030,
    "R035": R035,
    "R036": R036,
    "R038": R038,
    "R048": R048,
    "R058": R058,
}


@dataclass
class Report:
    """cardinal's ``indicators`` output: results by group, and ``Meta``."""

    results: Result
    meta: Meta


def _calculators(settings: Settings, codes: list[str]) -> list[Calculator]:
    calculators: list[Calculator] = []
    if "R024" in codes or "R058" in codes:
        calculators.append(SecondLowestBidRatio(settings))
    calculators.extend(_CALCULATORS[code](settings) for code in _CALCULATORS if code in codes)
    return calculators


def fold_releases(
    state: State, releases: Iterable[Any], settings: Settings, calculators: list[Calculator]
) -> None:
    """cardinal's per-release filter, then each indicator's fold (in cardinal's order)."""
    folds = [calculator.fold for calculator in calculators]
    excluded = parse_pipe_separated_value(settings.exclusions_procurement_method_details)
    for release in releases:
        if type(release) is not dict:
            continue
        ocid = release.get("ocid")
        if type(ocid) is not str:
            continue
        tender = release.get("tender")
        if type(tender) is dict:
            # is_cancelled_contracting_process and the [exclusions] deny list, inline: this
            # loop runs once a release.
            if tender.get("status") == "cancelled":
                continue
            details = tender.get("procurementMethodDetails")
            if type(details) is str and details in excluded:
                continue
        for fold in folds:
            fold(state, release, ocid)


def finish(state: State, calculators: list[Calculator]) -> Report:
    for calculator in calculators:
        calculator.finalize(state)
    return Report({group: keys for group, keys in state.results.items() if keys}, state.meta)


def _run_codes(
    releases: Iterable[Any],
    settings: Settings,
    codes: list[str],
    warn: Callable[[str], None] | None = None,
) -> Report:
    calculators = _calculators(settings, codes)
    state = State(warn=warn)
    fold_releases(state, releases, settings, calculators)
    return finish(state, calculators)


def _forbid_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_lines(
    lines: Iterable[bytes], warn: Callable[[str], None] | None = None, first: int = 1
) -> Iterator[Any]:
    """Parse line-delimited JSON as cardinal does: blank lines are skipped silently, a line of
    invalid JSON or UTF-8 is skipped with a warning naming it (lines numbered from ``first``).
    Numbers beyond a double (1e400, an integer of 10^400) parse, as with serde_json's arbitrary
    precision, and are then no amount; ``NaN`` and ``Infinity`` are not JSON."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    for number, line in enumerate(lines, first):
        try:
            yield loads(line)
        except decode_error as exc:
            if not line.strip(b" \t\n\r\x0c"):
                continue
            message = str(exc)
            if "infinity when parsed as double" in message:
                try:
                    yield json.loads(line, parse_constant=_forbid_constant)
                    continue
                except ValueError as fallback:
                    message = str(fallback)
            if warn is not None:
                warn(line_warning(number, message))


def line_warning(number: int, message: str) -> str:
    """cardinal's warning for a line it skips."""
    if "UTF-8" in message:
        return f"Line {number} caused an I/O error, skipping. [stream did not contain valid UTF-8]"
    return f"Line {number} is invalid JSON, skipping. [{message}]"


def _codes(settings: Settings | None) -> tuple[Settings, list[str]]:
    if settings is None:
        return Settings(), list(_CALCULATORS)
    return settings, [code for code in _CALCULATORS if getattr(settings, code) is not None]


def report(
    releases: Iterable[Any],
    settings: Settings | None = None,
    warn: Callable[[str], None] | None = None,
) -> Report:
    """Results and ``Meta``, as cardinal prints them; ``warn`` receives cardinal's warnings
    (currencies other than the main one, unless ``[output] info_currency_mismatches``)."""
    chosen, codes = _codes(settings)
    return _run_codes(releases, chosen, codes, warn)


def run(releases: Iterable[Any], settings: Settings | None = None) -> Result:
    """Run cardinal's indicators over compiled releases.

    As in cardinal, only indicators whose section is set in ``settings`` run; with
    ``settings=None``, all indicators run with cardinal's defaults.
    """
    return report(releases, settings).results


def _single(code: str) -> Callable[[Iterable[Any], Settings], Result]:
    def indicator(releases: Iterable[Any], settings: Settings) -> Result:
        return _run_codes(releases, settings, [code]).results

    indicator.__name__ = code.lower()
    indicator.__doc__ = f"Run only {code} (its settings section may be ``None`` for defaults)."
    return indicator


INDICATORS: dict[str, Callable[[Iterable[Any], Settings], Result]] = {
    code: _single(code) for code in _CALCULATORS
}
