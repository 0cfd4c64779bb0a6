"""Shared settings, state and helpers for the cardinal-rs indicator re-implementation.

Mirrors ``src/lib.rs`` and ``src/indicators/mod.rs`` of open-contracting/cardinal-rs (MIT):
the per-release filters, the bid/award helpers, the ``Fraction`` mediant sums and statrs'
quantile estimator, so that results equal cardinal's ``indicators`` command (``--no-meta``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction as _Exact
from typing import Any

# Group -> key (ocid or organization id) -> indicator code -> value.
Result = dict[str, dict[str, dict[str, float]]]
# Indicator code -> quartile or fence name -> value (cardinal's ``Meta``).
Meta = dict[str, dict[str, float]]

OCID = "OCID"
BUYER = "Buyer"
PROCURING_ENTITY = "ProcuringEntity"
TENDERER = "Tenderer"


# The sections carry cardinal's defaults (None: not set, the indicator decides, e.g. Tukey's
# fences instead of a fixed threshold).
@dataclass
class R003Settings:
    threshold: int = 15
    procurement_methods: str | None = None
    procurement_method_details: dict[str, int] | None = None


@dataclass
class R018Settings:
    procurement_methods: str | None = None


@dataclass
class FloatThreshold:
    threshold: float | None = None


@dataclass
class IntegerThreshold:
    threshold: int | None = None


@dataclass
class Empty:
    pass


@dataclass
class R025Settings:
    percentile: int = 75
    threshold: float | None = None


@dataclass
class R038Settings:
    threshold: float | None = None
    minimum_submitted_bids: int = 2
    minimum_contracting_processes: int = 2


@dataclass
class R048Settings:
    digits: int = 2
    threshold: int | None = None
    minimum_contracting_processes: int = 20


@dataclass
class Settings:
    """cardinal's ``Settings`` for the ``indicators`` command.

    As in cardinal, an indicator runs only if its section is set (not ``None``).
    """

    currency: str | None = None
    no_price_comparison_procurement_methods: str | None = None
    price_comparison_procurement_methods: str | None = None
    # [exclusions] procurement_method_details
    exclusions_procurement_method_details: str | None = None
    # [output] info_currency_mismatches: report other currencies at info level, not as warnings
    info_currency_mismatches: bool = False
    R003: R003Settings | None = None
    R018: R018Settings | None = None
    R024: FloatThreshold | None = None
    R025: R025Settings | None = None
    R028: Empty | None = None
    R030: Empty | None = None
    R035: IntegerThreshold | None = None
    R036: Empty | None = None
    R038: R038Settings | None = None
    R048: R048Settings | None = None
    R058: FloatThreshold | None = None


@dataclass
class State:
    """The accumulator (cardinal's ``Indicators`` struct), folded sequentially."""

    results: Result = field(default_factory=dict)
    meta: Meta = field(default_factory=dict)
    currency: str | None = None
    # Where cardinal's ``warn!`` lines go (``None``: nowhere).
    warn: Callable[[str], None] | None = None
    second_lowest_bid_ratios: dict[str, float] = field(default_factory=dict)
    winner_and_lowest_non_winner: dict[str, tuple[str, str]] = field(default_factory=dict)
    # id -> [numerator, denominator]
    r025_tenderer: dict[str, list[int]] = field(default_factory=dict)
    r038_buyer: dict[str, list[int]] = field(default_factory=dict)
    r038_procuring_entity: dict[str, list[int]] = field(default_factory=dict)
    r038_tenderer: dict[str, list[int]] = field(default_factory=dict)
    r048_classifications: dict[str, tuple[list[int], set[str]]] = field(default_factory=dict)

    def set_result(self, group: str, key: str, code: str, value: float) -> None:
        self.results.setdefault(group, {}).setdefault(key, {})[code] = value

    def set_meta(self, code: str, key: str, value: float) -> None:
        self.meta.setdefault(code, {})[key] = value

    def main_currency(self, selected: str | None, currency: str, warn: bool) -> bool:
        """Whether ``currency`` is the selected (or else first observed) currency; cardinal
        warns about each other one unless ``[output] info_currency_mismatches`` is set."""
        if self.currency is None:
            self.currency = selected if selected is not None else currency
        if currency == self.currency:
            return True
        if warn and self.warn is not None:
            self.warn(f'{currency} is not Some("{self.currency}"), skipping.')
        return False


class Calculator:
    """One indicator's fold/finalize steps (cardinal's ``Calculate`` trait)."""

    def __init__(self, settings: Settings) -> None:
        del settings  # an indicator without settings of its own

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        return None

    def finalize(self, state: State) -> None:
        return None


class PriceComparisonCalculator(Calculator, ABC):
    """An indicator that only reads procedures which compare prices (cardinal's
    ``price_comparison`` / ``no_price_comparison`` procurement-method settings)."""

    def __init__(self, settings: Settings) -> None:
        self.no_price_comparison = parse_pipe_separated_value(
            settings.no_price_comparison_procurement_methods
        )
        self.price_comparison = parse_pipe_separated_value(
            settings.price_comparison_procurement_methods
        )
        self.currency = settings.currency
        self.warn_currency = not settings.info_currency_mismatches

    def fold(self, state: State, release: dict[str, Any], ocid: str) -> None:
        if matches_procurement_method_details(
            release, self.price_comparison, self.no_price_comparison
        ):
            self.fold_prices(state, release, ocid)

    @abstractmethod
    def fold_prices(self, state: State, release: dict[str, Any], ocid: str) -> None:
        """The indicator's fold, on a release whose procedure compares prices."""


def add_fraction(
    fractions: dict[str, list[int]], key: str, numerator: int, denominator: int
) -> None:
    fraction = fractions.setdefault(key, [0, 0])
    fraction[0] += numerator
    fraction[1] += denominator


# JSON accessors with serde_json's `Value::get` semantics (non-objects have no members).


def get(value: Any, key: str) -> Any:
    return value.get(key) if type(value) is dict else None


def get_str(value: Any, key: str) -> str | None:
    member = value.get(key) if type(value) is dict else None
    return member if type(member) is str else None


def get_dict(value: Any, key: str) -> dict[str, Any] | None:
    member = value.get(key) if type(value) is dict else None
    return member if type(member) is dict else None


def get_list(value: Any, key: str) -> list[Any] | None:
    member = value.get(key) if type(value) is dict else None
    return member if type(member) is list else None


def get_number(value: Any, key: str) -> float | None:
    """``Value::Number`` then ``as_f64()``: a finite double, else nothing (serde_json's
    arbitrary-precision numbers give ``None`` for 1e400 or an integer of 10^400).
    JSON booleans are not numbers."""
    member = value.get(key) if type(value) is dict else None
    if type(member) is float:
        return member if math.isfinite(member) else None
    if type(member) is int:
        try:
            return float(member)
        except OverflowError:
            return None
    return None


def parse_pipe_separated_value(value: str | None, default: str = "") -> set[str]:
    """Rust's ``split_terminator('|')``: a single trailing empty piece is dropped."""
    parts = (default if value is None else value).split("|")
    if parts and parts[-1] == "":
        parts.pop()
    return set(parts)


# Release-level helpers (``impl Indicators`` in src/lib.rs).


def is_cancelled_contracting_process(release: dict[str, Any]) -> bool:
    return get_str(get_dict(release, "tender"), "status") == "cancelled"


def matches_procurement_method(tender: dict[str, Any], allowed: set[str]) -> bool:
    if not allowed:
        return True
    method = get_str(tender, "procurementMethod")
    return method is not None and method in allowed


def matches_procurement_method_details(
    release: dict[str, Any], include: set[str], exclude: set[str]
) -> bool:
    details = get_str(get_dict(release, "tender"), "procurementMethodDetails")
    if details is not None:
        if not include:
            return details not in exclude
        return details in include
    return not include


# The last release's submitted bids and final awards: several indicators read them for each
# release, and the release object kept here cannot be freed and its id reused meanwhile.
_submitted: list[Any] = [None, []]
_complete: list[Any] = [None, None]


def get_submitted_bids(release: dict[str, Any]) -> list[Any]:
    """Pending, valid and disqualified bids (any string status but invited/withdrawn)."""
    if _submitted[0] is release:
        return _submitted[1]  # type: ignore[no-any-return]
    bids = release.get("bids")
    details = bids.get("details") if type(bids) is dict else None
    found = (
        [
            bid
            for bid in details
            if type(bid) is dict
            and type(status := bid.get("status")) is str
            and status != "invited"
            and status != "withdrawn"
        ]
        if type(details) is list
        else []
    )
    _submitted[0], _submitted[1] = release, found
    return found


def get_complete_awards_and_bids_if_all_awards_final(
    release: dict[str, Any],
) -> tuple[list[Any], list[Any]] | None:
    if _complete[0] is release:
        return _complete[1]  # type: ignore[no-any-return]
    found = _complete_awards_and_bids(release)
    _complete[0], _complete[1] = release, found
    return found


def _complete_awards_and_bids(release: dict[str, Any]) -> tuple[list[Any], list[Any]] | None:
    awards = get_list(release, "awards")
    details = get_list(get_dict(release, "bids"), "details")
    if awards is None or details is None:
        return None
    complete_awards = []
    for award in awards:
        status = get_str(award, "status")
        if status is None:
            continue
        if status == "active":
            complete_awards.append(award)
        elif status not in ("cancelled", "unsuccessful"):
            return None
    return complete_awards, details


def get_sole_winner_and_bids(release: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """The one supplier of the one complete award, and the bids, once all awards are final
    (the shape R024, R058 and R025 compare bids against)."""
    found = get_complete_awards_and_bids_if_all_awards_final(release)
    if found is None:
        return None
    complete_awards, details = found
    if len(complete_awards) != 1:
        return None
    suppliers = get_list(complete_awards[0], "suppliers")
    if suppliers is None or len(suppliers) != 1:
        return None
    supplier_id = get_str(suppliers[0], "id")
    return None if supplier_id is None else (supplier_id, details)


def priced_bids(bids: Iterable[Any]) -> Iterator[tuple[Any, float, str]]:
    """Each bid with a numeric ``value/amount`` and a string ``value/currency``, with them."""
    for bid in bids:
        value = get_dict(bid, "value")
        amount = get_number(value, "amount")
        currency = get_str(value, "currency")
        if amount is not None and currency is not None:
            yield bid, amount, currency


def get_tenderer_and_value_of_valid_bids(details: list[Any]) -> list[tuple[str, float, str]]:
    tuples = []
    for bid in details:
        if type(bid) is not dict or bid.get("status") != "valid":
            continue
        value = bid.get("value")
        tenderers = bid.get("tenderers")
        if type(value) is not dict or type(tenderers) is not list or len(tenderers) != 1:
            continue
        amount = get_number(value, "amount")
        currency = value.get("currency")
        tenderer_id = get_str(tenderers[0], "id")
        if amount is not None and type(currency) is str and tenderer_id is not None:
            tuples.append((tenderer_id, amount, currency))
    return tuples


# Numerics.


def mul_add(a: float, b: float, c: float) -> float:
    """Rust's ``f64::mul_add``: ``a * b + c`` with a single rounding (fused multiply-add)."""
    if not all(math.isfinite(x) for x in (a, b, c)):
        return a * b + c
    return float(_Exact(a) * _Exact(b) + _Exact(c))


def tukey_fences(state: State, code: str, data: Iterable[float], prefix: str = "") -> Fences:
    """Q1 and Q3 of the data, recorded in the indicator's Meta, and Tukey's fences
    (Q1 - 1.5 IQR, Q3 + 1.5 IQR) with cardinal's fused multiply-add."""
    values = list(data)
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    state.set_meta(code, f"{prefix}q1", q1)
    state.set_meta(code, f"{prefix}q3", q3)
    return Fences(q1, mul_add(q3 - q1, -1.5, q1), mul_add(q3 - q1, 1.5, q3))


def lower_fence(
    state: State, code: str, data: Iterable[float], threshold: float | None
) -> tuple[float, float]:
    """The lower fence (Tukey's, or the ``threshold``) and Q1, which cardinal requires to be
    positive before flagging (a dummy 1.0 with a threshold). The caller records the fence."""
    if threshold is not None:
        return threshold, 1.0
    fences = tukey_fences(state, code, data)
    return fences.lower, fences.q1


def upper_fence(
    state: State, code: str, data: Iterable[float], threshold: float | None, prefix: str = ""
) -> float:
    """The upper fence (Tukey's, or the ``threshold``), recorded in the indicator's Meta."""
    fence = tukey_fences(state, code, data, prefix).upper if threshold is None else threshold
    state.set_meta(code, f"{prefix}upper_fence", fence)
    return fence


@dataclass(frozen=True)
class Fences:
    q1: float
    lower: float
    upper: float


def quantile(data: Iterable[float], tau: float) -> float:
    """statrs 0.16 ``OrderStatistics::quantile`` (approximately median-unbiased, R type 8)."""
    values = sorted(data)
    n = len(values)
    if tau < 0.0 or tau > 1.0 or n == 0:
        return math.nan
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = int(h)
    if hf <= 0 or tau == 0.0:
        return values[0]
    if hf >= n or tau == 1.0:
        return values[-1]
    a = values[max(hf - 1, 0)]
    b = values[hf]
    return a + (h - hf) * (b - a)


# RFC 3339 (chrono's ``DateTime::parse_from_rfc3339``), to nanosecond precision.

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)


@functools.lru_cache(maxsize=1 << 16)
def parse_rfc3339_ns(value: str) -> int | None:
    """Nanoseconds since the Unix epoch (UTC), or ``None`` if not RFC 3339."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction, zulu, sign, off_h, off_m = match.group(7, 8, 9, 10, 11)
    leap = 0
    if second == 60:  # chrono accepts a leap second
        second, leap = 59, 1
    try:
        naive = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if zulu is None:
        hours, minutes = int(off_h), int(off_m)
        if hours > 23 or minutes > 59:
            return None
        offset = (hours * 60 + minutes) * 60 * (-1 if sign == "-" else 1)
    else:
        offset = 0
    epoch = dt.datetime(1970, 1, 1)
    seconds = (naive - epoch) // dt.timedelta(seconds=1) - offset + leap
    nanos = int((fraction or "0")[:9].ljust(9, "0"))
    return seconds * 1_000_000_000 + nanos


def num_days(start_ns: int, end_ns: int) -> int:
    """chrono ``TimeDelta::num_days``: whole days, truncated toward zero."""
    delta = end_ns - start_ns
    day = 86_400 * 1_000_000_000
    return delta // day if delta >= 0 else -((-delta) // day)
