"""What the OCDS and BODS converters share: the conversion they hand to the intake, the per-file
report of what was mapped and what was not, and the identifier, date and money rules of both.

Converters never write: they turn a document into our record dicts, and the normal intake
validates, checks references and upserts them like any other input.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from credit.domain.identifiers import (
    USCC_SCHEME,
    IdentifierError,
    is_uscc_key,
    key_scheme,
    org_key,
    validate_uscc,
)
from credit.domain.records import Source

MAX_EXAMPLES = 3
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:/\-]+")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SOURCE: TypeAdapter[str] = TypeAdapter(Source)


class OptionError(ValueError):
    """An option the reader cannot honour (reported against the option, not the file)."""


@dataclass
class ConversionReport:
    """Per kind of item (party, bid, entity, interest ...): how many were seen, mapped and
    skipped (by reason), plus values that were kept but not understood; each with examples."""

    format: str
    seen: Counter[str] = field(default_factory=Counter)
    mapped: Counter[str] = field(default_factory=Counter)
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    noted: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def map(self, kind: str) -> None:
        self.seen[kind] += 1
        self.mapped[kind] += 1

    def skip(self, kind: str, reason: str, example: str) -> None:
        self.seen[kind] += 1
        self.skipped[kind, reason] += 1
        self._example((kind, reason), example)

    def note(self, kind: str, reason: str, example: str) -> None:
        self.noted[kind, reason] += 1
        self._example((kind, reason), example)

    def _example(self, key: tuple[str, str], example: str) -> None:
        shown = self.examples.setdefault(key, [])
        if len(shown) < MAX_EXAMPLES and example not in shown:
            shown.append(example)

    def skips(self, kind: str) -> dict[str, int]:
        return {reason: n for (k, reason), n in self.skipped.items() if k == kind}

    def lines(self) -> list[str]:
        out = [f"{self.format}: {error}" for error in self.errors]
        for kind in sorted({*self.seen, *(k for k, _ in self.noted)}):
            counts = (
                f" {self.seen[kind]} seen, {self.mapped[kind]} mapped" if self.seen[kind] else ""
            )
            out.append(f"{kind}:{counts}")
            for label, counter in (("skipped", self.skipped), ("noted", self.noted)):
                for (k, reason), n in sorted(counter.items()):
                    if k == kind:
                        shown = "; ".join(self.examples.get((k, reason), []))
                        out.append(f"  {label} {n}: {reason} (e.g. {shown})")
        return out


@dataclass
class Conversion:
    """Records in our format, each with a position for error reports and where it came from."""

    report: ConversionReport | None = None
    items: list[tuple[int, Any]] = field(default_factory=list)
    origins: dict[int, str] = field(default_factory=dict)

    def add(self, record: dict[str, Any], origin: str) -> None:
        position = len(self.items) + 1
        self.items.append((position, record))
        self.origins[position] = origin


def load_documents(path: Path, report: ConversionReport) -> list[Any]:
    """A JSON document, or JSON Lines (one document a line); unreadable lines are reported."""
    content = path.read_text(encoding="utf-8", errors="replace")
    try:
        return [json.loads(content)]
    except json.JSONDecodeError:
        pass
    documents = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as exc:
            report.errors.append(f"line {number}: json.syntax: {exc.msg}")
    return documents


def source_name(source: str | None, default: str) -> str:
    """The provenance source of converted records, refused once here rather than per record."""
    if source is None:
        return default
    try:
        return _SOURCE.validate_python(source)
    except ValidationError as exc:
        raise OptionError(
            f"source {source!r}: use lower-case letters, digits, '.', '_' and '-'"
        ) from exc


def obj(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one: absent and malformed read alike."""
    return value if isinstance(value, dict) else {}


def objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects of an array; anything else (absent, a string, a number) reads as none."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def strings(value: Any) -> list[str]:
    """The strings of an array (codes such as roles); anything else reads as none."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def clip(value: Any, limit: int) -> str | None:
    """A non-empty string cut to `limit` characters, or None."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        cleaned = str(value).strip()
        return cleaned[:limit] or None
    return None


def record_id(*parts: str) -> str:
    """Our RecordId from foreign ids: unsafe characters replaced (with a short hash of the
    original so distinct ids stay distinct), and long ids shortened the same way."""
    safe = []
    for part in parts:
        cleaned = _ID_UNSAFE.sub("-", part).strip("-./:")
        if cleaned != part:
            cleaned = f"{cleaned}.{_digest(part)[:8]}" if cleaned else _digest(part)[:8]
        safe.append(cleaned)
    joined = "/".join(safe)
    if len(joined) > 100:
        joined = f"{joined[:83]}.{_digest(joined)[:16]}"
    return joined


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def uscc_of(identifiers: list[Any]) -> tuple[str | None, str]:
    """The valid USCC among `{scheme, id}` identifiers, or None and the reason there is none."""
    reason = "identifier.not_cn_uscc"
    for ident in identifiers:
        if not isinstance(ident, dict) or ident.get("scheme") != USCC_SCHEME:
            continue
        try:
            return validate_uscc(str(ident.get("id", "")).strip().upper()), ""
        except IdentifierError as exc:
            reason = exc.rule
    return None, reason


def org_key_of(identifiers: list[Any]) -> tuple[str | None, str]:
    """The organisation key among `{scheme, id}` identifiers (a valid USCC first, else the
    first identifier valid in its org-id.guide scheme), or None and the rule that refused it."""
    uscc, reason = uscc_of(identifiers)
    if uscc is not None:
        return uscc, ""
    reason = "" if reason == "identifier.not_cn_uscc" else reason
    for ident in identifiers:
        if not isinstance(ident, dict) or ident.get("scheme") == USCC_SCHEME:
            continue
        scheme, value = clip(ident.get("scheme"), 40), clip(ident.get("id"), 200)
        if scheme is None or value is None:
            reason = reason or ("identifier.scheme_missing" if value else "identifier.id_missing")
            continue
        try:
            return org_key(scheme, value), ""
        except IdentifierError as exc:
            reason = reason or exc.rule
    return None, reason or "identifier.missing"


def org_fields(key: str) -> dict[str, Any]:
    """An organisation record's key fields: `uscc` for a Chinese key, else `identifier`."""
    if is_uscc_key(key):
        return {"uscc": key}
    scheme = key_scheme(key)
    return {"identifier": {"scheme": scheme, "id": key[len(scheme) + 1 :]}}


def fields_key(record: dict[str, Any]) -> str:
    """The organisation key of an organisation record built with org_fields."""
    if "uscc" in record:
        return str(record["uscc"])
    ident = record["identifier"]
    return org_key(ident["scheme"], ident["id"])


def day(value: Any) -> str | None:
    """The calendar date an ISO date or date-time names (as written, without moving zones)."""
    if isinstance(value, str) and _DAY.match(value):
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None


def moment(value: Any) -> str | None:
    """An ISO date-time (or date) in the one form the record format reads, or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None


def version_of(value: Any) -> int:
    """A version that grows with the publication date, so an older statement or release never
    overwrites a newer one; 1 when the date is missing or unreadable."""
    if not isinstance(value, str):
        return 1
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return 1
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(1, int(moment.timestamp()))


def money(value: Any) -> tuple[dict[str, str] | None, str]:
    """Our Money from an OCDS Value, or None and the reason it cannot be read."""
    if not isinstance(value, dict) or value.get("amount") is None:
        return None, "value.missing"
    currency = value.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency.strip().upper()):
        return None, "value.currency_missing"
    try:
        amount = Decimal(str(value["amount"]))
        if not amount.is_finite() or amount < 0:
            return None, "value.amount_invalid"
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # not a number, or too many digits to hold in cents
        return None, "value.amount_invalid"
    return {"amount": str(cents), "currency": currency.strip().upper()}, ""
