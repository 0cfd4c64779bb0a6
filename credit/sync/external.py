"""Intake of other systems' lists: courts' dishonest judgment debtors, major tax-violation
parties, other regions' serious-dishonesty lists.

Each pushed record is idempotent on (source, external id, version): a repeat changes nothing,
a higher version updates, a retraction ends the listing from its date. A record whose subject
has a USCC attaches to that organisation (created as a bare supplier if we have never seen it,
so the listing bars it the moment it bids); one with only a name waits for a supervisor to
confirm a proposed match (credit.sync.matching).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from credit.domain.records import ExternalList, Name, Short, Source, Strict, Uscc
from credit.intake.pipeline import IntakeError, rule_of, validate_record

MAX_RECORDS = 1000


class ExternalRecord(Strict):
    external_id: Short
    version: int = 1
    list: ExternalList
    subject_uscc: Uscc | None = None
    subject_name: Name
    authority: Name
    reference: Short | None = None
    listed_on: date
    valid_until: date | None = None
    retracted_on: date | None = None


def listing_id(source: str, external_id: str) -> str:
    """Our record id for (source, external id): stable, and safe whatever the source's ids."""
    return f"{source}-{hashlib.sha256(external_id.encode()).hexdigest()[:24]}"


def to_records(source: str, record: ExternalRecord) -> list[dict[str, Any]]:
    provenance = {"source": source, "external_id": record.external_id, "version": record.version}
    listing: dict[str, Any] = {
        "type": "external_listing",
        "id": listing_id(source, record.external_id),
        "list": record.list.value,
        "subject": record.subject_uscc,
        "subject_name": record.subject_name,
        "authority": record.authority,
        "reference": record.reference,
        "listed_on": record.listed_on.isoformat(),
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "retracted_on": record.retracted_on.isoformat() if record.retracted_on else None,
        **provenance,
    }
    if record.subject_uscc is None:
        return [listing]
    # Never overwrites what we know of the organisation: a record of another source changes
    # only with a higher version, and this one is always version 1.
    party = {
        "type": "organization",
        "uscc": record.subject_uscc,
        "name": record.subject_name,
        "roles": ["SUPPLIER"],
        "source": source,
        "external_id": record.subject_uscc,
    }
    return [party, listing]


def convert(source: str, items: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    """External records as intake items; a bad one becomes its errors, reported by line, and
    none of its parts is written."""
    for line, raw in items:
        try:
            record = (
                ExternalRecord.model_validate_json(raw)
                if isinstance(raw, str | bytes)
                else ExternalRecord.model_validate(raw)
            )
        except ValidationError as exc:
            yield (
                line,
                [
                    IntakeError(
                        line,
                        ".".join(str(p) for p in err["loc"]) or "(record)",
                        rule_of(err["type"]),
                        err["msg"],
                    )
                    for err in exc.errors(include_url=False)
                ],
            )
            continue
        converted = to_records(source, record)
        problems = [e for part in converted if isinstance(e := validate_record(line, part), list)]
        if problems:
            yield line, [error for errors in problems for error in errors]
            continue
        for part in converted:
            yield line, part


def check_source(source: str) -> str | None:
    """The problem with a source name, if any (the same rule as every record's `source`)."""
    try:
        SOURCE.validate_python(source)
    except ValidationError:
        return "a source is 1-64 of a-z, 0-9, '_', '.', '-', starting with a letter or digit"
    return None


SOURCE: TypeAdapter[str] = TypeAdapter(Source)
