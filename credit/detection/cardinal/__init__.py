"""Open Contracting red-flag indicators, re-implemented from cardinal-rs.

Pure-Python equivalents of the ``indicators`` command of
https://github.com/open-contracting/cardinal-rs (MIT), over OCDS compiled releases (one
contracting process per release). The output equals cardinal's output without ``Meta`` (as with
``--no-meta``): ``{"OCID": {ocid: {code: value}}, "Buyer": {...}, "ProcuringEntity": {...},
"Tenderer": {...}}``, with empty groups omitted. Defaults equal cardinal's defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from credit.detection.cardinal._common import (
    BUYER,
    OCID,
    PROCURING_ENTITY,
    TENDERER,
    Calculator,
    Empty,
    FloatThreshold,
    IntegerThreshold,
    R003Settings,
    R018Settings,
    R025Settings,
    R038Settings,
    R048Settings,
    Result,
    Settings,
    State,
    is_cancelled_contracting_process,
    matches_procurement_method_details,
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
    "R003Settings",
    "R018Settings",
    "R025Settings",
    "R038Settings",
    "R048Settings",
    "Result",
    "Settings",
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


def _run_codes(releases: Iterable[Any], settings: Settings, codes: list[str]) -> Result:
    calculators: list[Calculator] = []
    if "R024" in codes or "R058" in codes:
        calculators.append(SecondLowestBidRatio(settings))
    calculators.extend(_CALCULATORS[code](settings) for code in _CALCULATORS if code in codes)

    excluded = parse_pipe_separated_value(settings.exclusions_procurement_method_details)
    state = State()
    for release in releases:
        if not isinstance(release, dict):
            continue
        ocid = release.get("ocid")
        if (
            not isinstance(ocid, str)
            or is_cancelled_contracting_process(release)
            or not matches_procurement_method_details(release, set(), excluded)
        ):
            continue
        for calculator in calculators:
            calculator.fold(state, release, ocid)
    for calculator in calculators:
        calculator.finalize(state)
    return {group: keys for group, keys in state.results.items() if keys}


def run(releases: Iterable[Any], settings: Settings | None = None) -> Result:
    """Run cardinal's indicators over compiled releases.

    As in cardinal, only indicators whose section is set in ``settings`` run; with
    ``settings=None``, all indicators run with cardinal's defaults.
    """
    if settings is None:
        codes = list(_CALCULATORS)
        settings = Settings()
    else:
        codes = [code for code in _CALCULATORS if getattr(settings, code) is not None]
    return _run_codes(releases, settings, codes)


def _single(code: str) -> Callable[[Iterable[Any], Settings], Result]:
    def indicator(releases: Iterable[Any], settings: Settings) -> Result:
        return _run_codes(releases, settings, [code])

    indicator.__name__ = code.lower()
    indicator.__doc__ = f"Run only {code} (its settings section may be ``None`` for defaults)."
    return indicator


INDICATORS: dict[str, Callable[[Iterable[Any], Settings], Result]] = {
    code: _single(code) for code in _CALCULATORS
}
