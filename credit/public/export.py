"""The daily extract files of the public view: CSV, JSON Lines and FollowTheMoney entities
(for yente and other screening tools), with a manifest (counts, SHA-256, generated at).

The records are exactly those of GET /public/records on the day, with the same fields; the
FtM output maps each party to a Company (an organisation with its USCC), a Person (name only:
the masked identity number goes in `notes`, never in `idNumber`, so no tool matches on it) or a
LegalEntity (a list entry known by name only), and each record to a Sanction: the penalty or
list entry itself, and for a ban in force a second Sanction for the debarment (Law Art. 77)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from credit.core.store import GraphStore
from credit.legal import text
from credit.public import repository, rules

FORMATS = ("csv", "jsonl", "ftm")
FILES = {
    "csv": "public-records.csv",
    "jsonl": "public-records.jsonl",
    "ftm": "public-records.ftm.json",
}
DATASET = "cn_gp_credit"
CSV_COLUMNS = [
    "id", "url", "kind", "lists", "subject_kind", "subject_name", "subject_uscc",
    "subject_masked_id_number", "subject_roles", "decision_number", "violation_type", "severity",
    "legal_basis", "penalty_types", "penalty_content", "fine_amount", "fine_currency",
    "decision_date", "ban_start", "ban_end", "publication_end", "authority", "status",
    "list_name", "reference", "listed_on", "valid_until",
]  # fmt: skip
PROGRAMS = {
    "CN-GP-PENALTY": "行政处罚（政府采购） Administrative penalty (government procurement)",
    "CN-GP-SERIOUS-DISHONESTY": (
        "政府采购严重违法失信行为记录名单 Government procurement serious-dishonesty list"
    ),
    "CN-GP-DEBARMENT": "禁止参加政府采购活动 Debarment from government procurement",
}


def all_records(store: GraphStore, today: date) -> list[rules.PublicRecord]:
    return repository.search(store, today, None, None, 0, 10_000_000).records


def csv_text(records: Sequence[rules.PublicRecord]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in records:
        row = r.model_dump(mode="json")
        subject = row.pop("subject")
        row |= {f"subject_{k}": v for k, v in subject.items()}
        for key in ("lists", "subject_roles", "penalty_types"):
            row[key] = ";".join(row[key])
        writer.writerow(row)
    return out.getvalue()


def jsonl_text(records: Sequence[rules.PublicRecord]) -> str:
    return "".join(
        json.dumps(r.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n"
        for r in records
    )


def _id(*parts: str) -> str:
    return "cn-gpc-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def _entity(
    schema: str, entity_id: str, props: dict[str, list[str]], **extra: Any
) -> dict[str, Any]:
    clean = {k: [v for v in values if v] for k, values in props.items()}
    return {
        "id": entity_id,
        "schema": schema,
        "properties": {k: v for k, v in clean.items() if v},
        "datasets": [DATASET],
        **extra,
    }


def _party(record: rules.PublicRecord) -> dict[str, Any]:
    s = record.subject
    topics = ["debarment"] if "serious_dishonesty" in record.lists else ["reg.action"]
    common = {"name": [s.name], "country": ["cn"], "topics": topics}
    if s.kind == "person":
        notes = (
            f"证件号码（脱敏） masked identity number: {s.masked_id_number}"
            if s.masked_id_number
            else ""
        )
        return _entity(
            "Person",
            _id("person", s.name, s.masked_id_number or ""),
            common | {"notes": [notes]},
            target=True,
        )
    if s.uscc:
        return _entity(
            "Company",
            _id("org", s.uscc),
            common | {"uscCode": [s.uscc], "registrationNumber": [s.uscc], "jurisdiction": ["cn"]},
            target=True,
        )
    return _entity("LegalEntity", _id("name", s.name), common, target=True)


def ftm_entities(records: Sequence[rules.PublicRecord], base_url: str) -> list[dict[str, Any]]:
    """Parties (once each, topics merged) and their Sanctions, parties first."""
    parties: dict[str, dict[str, Any]] = {}
    sanctions: list[dict[str, Any]] = []
    for r in records:
        party = _party(r)
        known = parties.setdefault(party["id"], party)
        topics = known["properties"]["topics"]
        known["properties"]["topics"] = sorted(set(topics) | set(party["properties"]["topics"]))
        source = base_url.rstrip("/") + r.url
        if r.kind == "listing":
            program = "CN-GP-SERIOUS-DISHONESTY"
            start, end = r.listed_on, r.valid_until
        else:
            program = "CN-GP-PENALTY"
            start, end = r.decision_date, r.publication_end
        sanctions.append(
            _sanction(
                _id("sanction", r.id),
                party["id"],
                r,
                program,
                (start, end),
                source,
                provisions=[r.legal_basis or ""],
                summary=[r.penalty_content or ""],
                status=["under appeal" if r.status == "UNDER_APPEAL" else "active"],
            )
        )
        if r.kind == "penalty" and "serious_dishonesty" in r.lists and r.ban_start:
            sanctions.append(
                _sanction(
                    _id("debarment", r.id),
                    party["id"],
                    r,
                    "CN-GP-DEBARMENT",
                    (r.ban_start, r.ban_end),
                    source,
                    provisions=[text("GPL-22-77-BAN")],
                    status=["active"],
                )
            )
    return [*parties.values(), *sanctions]


def _sanction(
    uid: str,
    party: str,
    r: rules.PublicRecord,
    program: str,
    period: tuple[date | None, date | None],
    source: str,
    **own: list[str],
) -> dict[str, Any]:
    """A Sanction entity of `party` for the record `r` under `program`, over `period`."""
    return _entity(
        "Sanction",
        uid,
        {
            "entity": [party],
            "authority": [r.authority],
            "authorityId": [r.decision_number or ""],
            "program": [PROGRAMS[program]],
            "programId": [program],
            "reason": [r.violation_type or ""],
            "country": ["cn"],
            "listingDate": [_iso(r.decision_date)],
            "startDate": [_iso(period[0])],
            "endDate": [_iso(period[1])],
            "recordId": [r.id],
            "sourceUrl": [source],
            **own,
        },
    )


def _iso(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _write(path: Path, content: str) -> dict[str, Any]:
    data = content.encode("utf-8")
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)  # a reader never sees half a file
    return {"name": path.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def export(
    store: GraphStore, out: Path, formats: Iterable[str], today: date, base_url: str
) -> dict[str, Any]:
    """Write the chosen formats and manifest.json into `out`; return the manifest."""
    chosen = list(dict.fromkeys(formats))
    for name in chosen:
        if name not in FORMATS:
            raise ValueError(f"format: enum: {name!r} is not one of {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    records = all_records(store, today)
    files = []
    for name in chosen:
        if name == "csv":
            entry = _write(out / FILES[name], csv_text(records)) | {"records": len(records)}
        elif name == "jsonl":
            entry = _write(out / FILES[name], jsonl_text(records)) | {"records": len(records)}
        else:
            entities = ftm_entities(records, base_url)
            content = "".join(
                json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities
            )
            entry = _write(out / FILES[name], content) | {
                "entities": len(entities),
                "schemata": dict(sorted(Counter(e["schema"] for e in entities).items())),
            }
        files.append({"format": name, **entry})
    manifest = {
        "generated_at": datetime.now(UTC).isoformat(),
        "as_of": today.isoformat(),
        "dataset": DATASET,
        "counts": {
            "records": len(records),
            "penalties": sum(r.kind == "penalty" for r in records),
            "listings": sum(r.kind == "listing" for r in records),
            "serious_dishonesty": sum("serious_dishonesty" in r.lists for r in records),
        },
        "files": files,
        "basis": list(rules.PUBLISHED_PERSON_BASIS),
    }
    _write(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest
