"""The one catalogue of labels a person reads (labels.json): Chinese first, English beside.
The pages import the same file (web/src/labels.ts), so a code reads the same in a page and in
an API message."""

from __future__ import annotations

import json
import re
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


# The API's English sentences (findings, score reasons) as the catalogue's templates; each
# {slot} matches a kind of value (web/src/labels.ts reads the same templates the same way).
_SLOTS: dict[str, str] = {
    "n": r"[\d.,]+",
    "date": r"\d{4}-\d{2}-\d{2}",
    "lot": r"\S+?",
    "subject": r"[a-z_]+",
    "severity": "general|serious|major",
    "category": "[A-Z_]+",
    "list": "[A-Z_]+",
    "cap": r"[a-z_.]+",
}


def _say(slot: str, value: str) -> str:
    kind = slot.rstrip("0123456789")
    group = {"severity": "severity", "category": "category", "list": "list", "cap": "cap"}
    if kind in group:
        found = pair(group[kind], value.upper() if kind == "severity" else value)
        return found[0] if found else value
    if kind == "term":  # words of the catalogue, listed with "; ", ", " or " and "
        words = [
            w
            for part in re.split(r"; |, ", value)
            for w in ([part] if pair("term", part) else part.split(" and "))
        ]
        return "、".join((pair("term", w) or (w, ""))[0] for w in words)
    return value


@cache
def _templates() -> list[tuple[re.Pattern[str], list[str], str, int]]:
    made = []
    for en, (zh, _) in catalogue().get("phrase", {}).items():
        slots: list[str] = []
        parts = []
        for part in re.split(r"(\{[a-z]+\d*\})", en):
            if m := re.fullmatch(r"\{([a-z]+)\d*\}", part):
                slots.append(part[1:-1])
                parts.append(f"({_SLOTS.get(m.group(1), '.+?')})")
            else:
                parts.append(re.escape(part))
        literal = len(re.sub(r"\{[a-z]+\d*\}", "", en))  # the more it spells out, the better
        made.append((re.compile("".join(parts) + r"(?=, |$)"), slots, zh, literal))
    return made


def phrase(text: str) -> str | None:
    """An English sentence of the API in Chinese, if the catalogue's templates say it; parts
    joined by ", " are said one by one (the longest match first, then the template that
    spells out most)."""
    said, rest, any_ = [], text, False
    while rest:
        best: tuple[int, int, str] | None = None
        for regex, slots, zh, literal in _templates():
            if (m := regex.match(rest)) and (best is None or (m.end(), literal) > best[:2]):
                out = zh
                for slot, value in zip(slots, m.groups(), strict=True):
                    out = out.replace("{" + slot + "}", _say(slot, value), 1)
                best = (m.end(), literal, out)
        any_ = any_ or best is not None
        end = best[0] if best else (rest.find(", ") if ", " in rest else len(rest))
        said.append(best[2] if best else rest[:end])
        rest = rest[end:].removeprefix(", ")
    return "，".join(said) if any_ else None
