"""The one catalogue of legal texts: every decision, flag and deadline cites an entry by id.

Each entry quotes the provision (Chinese, as published) and says it in English; `text(id)`
gives the combined citation "中文 — English" that reasons and flags carry. Add a provision
here once and cite its id; never copy its words into a rule module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CATALOGUE = Path(__file__).with_name("texts.toml")


@dataclass(frozen=True)
class LegalText:
    id: str
    source: str  # the instrument, e.g. "政府采购法实施条例 Implementing Regulations"
    zh: str
    en: str

    @property
    def citation(self) -> str:
        return f"{self.zh} — {self.en}"


@cache
def catalogue() -> dict[str, LegalText]:
    """Every entry, by id (read once from texts.toml)."""
    raw = tomllib.loads(_CATALOGUE.read_text(encoding="utf-8"))
    return {
        key: LegalText(id=key, source=entry["source"], zh=entry["zh"], en=entry["en"])
        for key, entry in raw.items()
    }


def get(text_id: str) -> LegalText:
    try:
        return catalogue()[text_id]
    except KeyError:
        raise KeyError(f"legal text {text_id!r} is not in credit/legal/texts.toml") from None


def text(*text_ids: str) -> str:
    """The citation of one provision, or of several joined with "；"."""
    entries = [get(i) for i in text_ids]
    if len(entries) == 1:
        return entries[0].citation
    return "；".join(e.zh for e in entries) + " — " + "; ".join(e.en for e in entries)
