"""cardinal's settings file (``--settings FILE.ini``), read as cardinal-rs reads it.

cardinal reads INI with rust-ini (comments are lines starting with ``;`` or ``#``; values are
trimmed and may be quoted; there are no inline comments) through the ``config`` crate, which
nests a section named ``[R003.procurement_method_details]`` under ``R003`` and converts strings
to the field's type (``true/on/yes`` count as 1 for integers). Every field of cardinal's
``Settings`` is known here, including the ``prepare`` command's sections, and unknown fields are
refused as cardinal refuses them (``deny_unknown_fields``). Errors read ``field: rule: message``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from credit.detection.cardinal._common import (
    Empty,
    FloatThreshold,
    IntegerThreshold,
    R003Settings,
    R018Settings,
    R025Settings,
    R038Settings,
    R048Settings,
    Settings,
)

__all__ = ["SettingsError", "load_settings", "parse_settings"]


class SettingsError(ValueError):
    """A settings file cardinal would refuse; ``str()`` is ``field: rule: message``."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(f"{field}: {rule}: {message}")
        self.field = field
        self.rule = rule


Table = dict[str, Any]


def _unquote(raw: str) -> str:
    """rust-ini's value: trimmed; a double- or single-quoted part loses its quotes."""
    value = raw.strip()
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char in "\"'":
            end = value.find(char, i + 1)
            if end < 0:
                raise SettingsError("settings", "ini", f"unterminated quote in {raw.strip()!r}")
            out.append(value[i + 1 : end])
            i = end + 1
        elif char == "\\" and i + 1 < len(value):
            out.append({"t": "\t", "n": "\n", "r": "\r", "0": "\0"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _set_path(root: Table, dotted: str, value: Any, line: int) -> None:
    """The ``config`` crate's path expressions: ``a.b`` nests ``b`` in table ``a``."""
    parts = [part.strip() for part in dotted.split(".")]
    if any(not part for part in parts):
        raise SettingsError(dotted, "ini", f"line {line}: empty name")
    table = root
    for part in parts[:-1]:
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise SettingsError(dotted, "ini", f"line {line}: {part} is not a section")
        table = child
    if isinstance(value, dict) and isinstance(table.get(parts[-1]), dict):
        table[parts[-1]].update(value)
    else:
        table[parts[-1]] = value


def parse_ini(text: str) -> Table:
    """INI text to nested tables of strings, as rust-ini then ``config`` produce them."""
    root: Table = {}
    section: Table | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        if line[0] == "[":
            if not line.endswith("]"):
                raise SettingsError("settings", "ini", f"line {number}: a section needs a ]")
            name = line[1:-1].strip()
            _set_path(root, name, {}, number)
            section = root
            for part in name.split("."):
                section = section[part.strip()]
            continue
        key, sep, value = line.partition("=")
        if not sep:
            key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise SettingsError("settings", "ini", f"line {number}: expected name = value")
        target = root if section is None else section
        target[key.strip()] = _unquote(value)
    return root


# Field converters: the ``config`` crate's conversions of INI strings.


def _string(path: str, value: Any) -> str:
    if isinstance(value, dict):
        raise SettingsError(path, "type", "invalid type: map, expected a string")
    return str(value)


def _boolean(path: str, value: Any) -> bool:
    text = _string(path, value).lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise SettingsError(path, "type", f'invalid type: string "{value}", expected a boolean')


def _word(text: str) -> int | None:
    """A boolean word as the number the ``config`` crate reads it as (1 or 0), else None."""
    lowered = text.lower()
    if lowered in ("true", "on", "yes"):
        return 1
    if lowered in ("false", "off", "no"):
        return 0
    return None


def _integer(path: str, value: Any) -> int:
    text = _string(path, value)
    word = _word(text)
    if word is not None:
        return word
    body = text[1:] if text[:1] in "+-" else text
    if not body.isascii() or not body.isdigit():
        raise SettingsError(path, "type", f'invalid type: string "{text}", expected an integer')
    return int(text)


def _unsigned(path: str, value: Any) -> int:
    number = _integer(path, value)
    if number < 0:
        raise SettingsError(path, "range", f"invalid value: integer `{number}`, expected usize")
    return number


def _float(path: str, value: Any) -> float:
    text = _string(path, value)
    word = _word(text)
    if word is not None:
        return float(word)
    if "_" in text or text != text.strip():
        raise SettingsError(path, "type", f'invalid type: string "{text}", expected a float')
    try:
        number = float(text)
    except ValueError:
        raise SettingsError(
            path, "type", f'invalid type: string "{text}", expected a float'
        ) from None
    return number


Converter = Callable[[str, Any], Any]


def _table(path: str, value: Any, fields: Mapping[str, Converter]) -> dict[str, Any]:
    """A struct with ``deny_unknown_fields``: every key known, each converted."""
    if not isinstance(value, dict):
        raise SettingsError(path, "type", f'invalid type: string "{value}", expected a section')
    out: dict[str, Any] = {}
    for key, member in value.items():
        field = f"{path}.{key}" if path else key
        if key not in fields:
            known = ", ".join(f"`{name}`" for name in fields)
            raise SettingsError(field, "unknown", f"unknown field `{key}`, expected one of {known}")
        out[key] = fields[key](field, member)
    return out


def _map_of(convert: Converter) -> Converter:
    def converter(path: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise SettingsError(path, "type", "expected a section of name = value lines")
        return {key: convert(f"{path}.{key}", member) for key, member in value.items()}

    return converter


def _struct(fields: Mapping[str, Converter]) -> Converter:
    return lambda path, value: _table(path, value, fields)


# cardinal-rs src/indicators/mod.rs `Settings` and its sections.
_R003: dict[str, Converter] = {
    "threshold": _integer,
    "procurement_methods": _string,
    "procurement_method_details": _map_of(_integer),
}
_R018: dict[str, Converter] = {"procurement_methods": _string}
_FLOAT_THRESHOLD: dict[str, Converter] = {"threshold": _float}
_INTEGER_THRESHOLD: dict[str, Converter] = {"threshold": _unsigned}
_R025: dict[str, Converter] = {"percentile": _unsigned, "threshold": _float}
_R038: dict[str, Converter] = {
    "threshold": _float,
    "minimum_submitted_bids": _unsigned,
    "minimum_contracting_processes": _unsigned,
}
_R048: dict[str, Converter] = {
    "digits": _unsigned,
    "threshold": _unsigned,
    "minimum_contracting_processes": _unsigned,
}
_EMPTY: dict[str, Converter] = {}


def _codelists(path: str, value: Any) -> dict[str, Any]:
    return _table(path, value, {"bid_status": _map_of(_string), "award_status": _map_of(_string)})


_SETTINGS: dict[str, Converter] = {
    # Read by the `prepare` command; accepted and checked so one file serves both commands.
    "output": _struct({"info_currency_mismatches": _boolean}),
    "codelists": _codelists,
    "defaults": _struct(
        {
            "currency": _string,
            "item_classification_scheme": _string,
            "bid_status": _string,
            "award_status": _string,
            "party_roles": _boolean,
        }
    ),
    "redactions": _struct({"amount": _string, "organization_id": _string}),
    "corrections": _struct({"award_status_by_contract_status": _boolean}),
    "modifications": _struct(
        {
            "move_auctions": _boolean,
            "prefix_buyer_or_procuring_entity_id": _string,
            "prefix_tenderer_or_supplier_id": _string,
            "split_procurement_method_details": _string,
        }
    ),
    # The `indicators` command.
    "currency": _string,
    "no_price_comparison_procurement_methods": _string,
    "price_comparison_procurement_methods": _string,
    "exclusions": _struct({"procurement_method_details": _string}),
    "R003": _struct(_R003),
    "R018": _struct(_R018),
    "R024": _struct(_FLOAT_THRESHOLD),
    "R025": _struct(_R025),
    "R028": _struct(_EMPTY),
    "R030": _struct(_EMPTY),
    "R035": _struct(_INTEGER_THRESHOLD),
    "R036": _struct(_EMPTY),
    "R038": _struct(_R038),
    "R048": _struct(_R048),
    "R058": _struct(_FLOAT_THRESHOLD),
}

_SECTIONS: dict[str, Callable[..., Any]] = {
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


def parse_settings(text: str) -> Settings:
    """cardinal's ``Settings`` from the text of its INI settings file."""
    values = _table("", parse_ini(text), _SETTINGS)
    exclusions = values.get("exclusions") or {}
    output = values.get("output") or {}
    sections = {code: _SECTIONS[code](**values[code]) for code in _SECTIONS if code in values}
    return Settings(
        currency=values.get("currency"),
        no_price_comparison_procurement_methods=values.get(
            "no_price_comparison_procurement_methods"
        ),
        price_comparison_procurement_methods=values.get("price_comparison_procurement_methods"),
        exclusions_procurement_method_details=exclusions.get("procurement_method_details"),
        info_currency_mismatches=bool(output.get("info_currency_mismatches", False)),
        **sections,
    )


def load_settings(path: Path) -> Settings:
    """Read a settings file; an unreadable or invalid one raises ``SettingsError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError("--settings", "readable", f"{path}: {exc}") from None
    return parse_settings(text)
