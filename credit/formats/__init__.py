"""Bulk input formats for `credit ingest --format`: our own JSON Lines, OCDS, BODS and other
systems' list entries.

Each reader turns a file into a Conversion (our records with their positions); the intake then
validates, checks references and upserts them as it does for any input. A new format is one
more entry in READERS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from credit.formats import bods, ocds
from credit.formats.common import Conversion, ConversionReport, OptionError, fields_key
from credit.intake.mapping import org_uid
from credit.intake.pipeline import read_jsonl
from credit.sync import external

Reader = Callable[[Path, str | None], Conversion]


def read_records(path: Path, source: str | None = None) -> Conversion:
    """Our record format, one JSON object a line; each record names its own source."""
    conversion = Conversion()
    conversion.items.extend(stream_records(path, source))
    return conversion


def stream_records(path: Path, source: str | None = None) -> Iterator[tuple[int, str]]:
    """Our record format read as it is consumed (a bulk load of any size)."""
    if source is not None:
        raise OptionError("records in our own format carry their own source")
    return read_jsonl(path)


def read_external(path: Path, source: str | None = None) -> Conversion:
    """Another system's list entries (credit.sync.external), one JSON object a line."""
    if source is None:
        raise OptionError("external records need --source, the system that sent them")
    if (problem := external.check_source(source)) is not None:
        raise OptionError(problem)
    conversion = Conversion()
    conversion.items.extend(external.convert(source, read_jsonl(path)))
    return conversion


READERS: dict[str, Reader] = {
    "jsonl": read_records,
    "ocds": ocds.read,
    "bods": bods.read,
    "external": read_external,
}


def leave_known_organizations(
    conversion: Conversion, existing_uids: Callable[[Iterable[str]], set[str]]
) -> None:
    """Drop converted organisations the graph already has: their bids and ties still point at
    them, but a procurement or ownership file is no authority on a company's name, roles or
    contacts, and re-writing them would replace what the registry intake recorded."""
    if conversion.report is None:
        return
    orgs = {
        position: org_uid(fields_key(record))
        for position, record in conversion.items
        if record.get("type") == "organization"
    }
    known = existing_uids(orgs.values()) if orgs else set()
    for uid in sorted(known):
        conversion.report.note("organization", "already_in_graph:left_as_is", uid)
    conversion.items = [
        (position, record)
        for position, record in conversion.items
        if orgs.get(position) not in known
    ]


__all__ = [
    "READERS",
    "Conversion",
    "ConversionReport",
    "OptionError",
    "Reader",
    "leave_known_organizations",
    "stream_records",
]
