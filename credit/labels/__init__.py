"""The one catalogue of labels a person reads (labels.json): Chinese first, English beside.
The pages import the same file (web/src/labels.ts), so a code reads the same in a page and in
an API message."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CATALOGUE = Path(__file__).with_name("labels.json")

# Which message a person reads for an error the API raises, by field and rule ("*": any rule).
_ERRORS: dict[tuple[str, str], str] = {
    ("lotId", "not_found"): "lot_not_found",
    ("id", "not_found"): "not_found",
    ("uscc", "not_found"): "org_not_found",
    ("uscc", "*"): "invalid_uscc",
    ("supplierUscc", "*"): "invalid_uscc",
    ("query", "max_length"): "too_long",
}


@cache
def catalogue() -> dict[str, dict[str, list[str]]]:
    data: dict[str, dict[str, list[str]]] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    data.pop("_about", None)
    return data


def pair(group: str, code: str) -> tuple[str, str] | None:
    found = catalogue().get(group, {}).get(code)
    return (found[0], found[1]) if found else None


def text(group: str, code: str) -> str:
    """ "中文 English" for a code, or the code itself when the catalogue has none."""
    found = pair(group, code)
    return f"{found[0]} {found[1]}" if found else code


def error_label(field: str, rule: str) -> str | None:
    """The sentence a person reads for this error, if the catalogue has one."""
    key = _ERRORS.get((field, rule)) or _ERRORS.get((field, "*"))
    return text("message", key) if key else None
