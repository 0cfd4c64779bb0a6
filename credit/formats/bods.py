"""BODS (Beneficial Ownership Data Standard) 0.4 statements to our records; the 0.2/0.3 shapes
(entityStatement, personStatement, ownershipOrControlStatement) are read as well.

Entities become organisations under a valid `CN-USCC` identifier, else under an identifier in
another org-id.guide scheme (GB-COH, UA-EDR ...), as the OCDS reader keys parties; people with
a valid `CHN-IDCARD` identifier are keyed by that identity number (as our own records and OCDS
bids key them), others by their first identifier, else by this source and their record id; all
are hashed on intake. Each direct interest becomes one tie; indirect and unknown interests are
skipped and counted, since the graph has no way to mark a tie as indirect and a guessed direct
tie would wrongly link companies. Of several statements about one record only the latest is
read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from credit.domain.identifiers import IdentifierError, validate_identity_number
from credit.domain.records import OrgRole, TieKind
from credit.formats.common import (
    Conversion,
    ConversionReport,
    clip,
    day,
    load_documents,
    obj,
    objects,
    org_fields,
    org_key_of,
    source_name,
    version_of,
)

_INTERESTS = {
    "shareholding": TieKind.OWNS,
    "votingRights": TieKind.CONTROLS,
    "appointmentOfBoard": TieKind.CONTROLS,
    "otherInfluenceOrControl": TieKind.CONTROLS,
    "boardMember": TieKind.DIRECTOR_OF,
    "boardChair": TieKind.DIRECTOR_OF,
    "seniorManagingOfficial": TieKind.LEGAL_REP_OF,
}
PERSON_SCHEME = "CHN-IDCARD"  # BODS personal identifiers: {ISO 3166-1 alpha-3}-IDCARD
_PERSON_ONLY = {TieKind.DIRECTOR_OF, TieKind.LEGAL_REP_OF}
_STATEMENT_TYPES = {
    "entityStatement": "entity",
    "personStatement": "person",
    "ownershipOrControlStatement": "relationship",
}
_SCHEME = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]{1,39}$")
_KEBAB = re.compile(r"-(\w)")
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class _Statement:
    """One statement in the 0.4 shape, whichever version it came in."""

    kind: str
    key: str  # 0.4 recordId, else the statement id (what relationships point at)
    slot: str  # what a later statement replaces: 0.4 records only, older ones never
    date: str | None
    closed: bool
    details: dict[str, Any]
    origin: str


def read(path: Path, source: str | None = None) -> Conversion:
    """Convert one BODS file (a JSON array of statements, or JSON Lines of statements)."""
    name = source_name(source, "bods")
    report = ConversionReport("bods")
    raw: list[Any] = []
    for document in load_documents(path, report):
        raw.extend(document if isinstance(document, list) else [document])
    return _Converter(name, report).run(_current(raw, report))


def _statement(position: int, raw: Any, report: ConversionReport) -> _Statement | None:
    if not isinstance(raw, dict):
        report.errors.append(f"statement {position}: a statement is a JSON object")
        return None
    sid = str(raw.get("statementId") or raw.get("statementID") or position)
    origin = f"statement {position} ({sid})"
    if isinstance(raw.get("recordDetails"), dict) and raw.get("recordId"):
        kind, key, details = str(raw.get("recordType")), str(raw["recordId"]), raw["recordDetails"]
        slot = f"{kind}:{key}"
    elif str(raw.get("statementType")) in _STATEMENT_TYPES:
        kind, key, details, slot = _STATEMENT_TYPES[str(raw["statementType"])], sid, raw, origin
    else:
        report.skip("statement", "type.unknown", origin)
        return None
    closed = raw.get("recordStatus") == "closed"
    return _Statement(kind, key, slot, raw.get("statementDate"), closed, details, origin)


def _current(raw: list[Any], report: ConversionReport) -> list[_Statement]:
    """The statements still in force: 0.2/0.3 `replacesStatements` and, in 0.4, every
    statement but the latest of its record are set aside."""
    replaced = {
        str(old)
        for s in raw
        if isinstance(s, dict) and isinstance(s.get("replacesStatements"), list)
        for old in s["replacesStatements"]
    }
    latest: dict[str, _Statement] = {}
    for position, item in enumerate(raw, start=1):
        statement = _statement(position, item, report)
        if statement is None:
            continue
        if statement.key in replaced:
            report.note("statement", "replaced_by_a_later_statement", statement.origin)
            continue
        kept = latest.get(statement.slot)
        if kept is not None:
            report.note("statement", "superseded_by_a_later_statement", kept.origin)
            if version_of(statement.date) < version_of(kept.date):
                statement = kept
        latest[statement.slot] = statement
    return list(latest.values())


def _name(details: dict[str, Any]) -> str | None:
    names = objects(details.get("names"))
    names.sort(key=lambda n: n.get("type") not in ("legal", "individual"))
    for n in names:
        full = n.get("fullName") or " ".join(
            str(n[p]) for p in ("givenName", "familyName") if n.get(p)
        )
        if clip(full, 200):
            return clip(full, 200)
    return None


def _person_identifier(details: dict[str, Any]) -> dict[str, str] | None:
    for ident in objects(details.get("identifiers")):
        scheme = str(ident.get("scheme") or "").strip().upper()
        value = clip(ident.get("id"), 100)
        if value and _SCHEME.match(scheme):
            return {"scheme": scheme, "id": value}
    return None


def _identity_number(identifier: dict[str, str]) -> str | None:
    """A valid resident identity number under BODS's `CHN-IDCARD` scheme, else None."""
    if identifier["scheme"] != PERSON_SCHEME:
        return None
    try:
        return validate_identity_number(identifier["id"].upper())
    except IdentifierError:
        return None


def _share(interest: dict[str, Any]) -> tuple[Decimal | None, str]:
    """Share as a fraction: the exact figure, else the middle of the range; with a note."""
    share = obj(interest.get("share"))
    try:
        if share.get("exact") is not None:
            percent, note = Decimal(str(share["exact"])), ""
        elif share.get("minimum") is not None and share.get("maximum") is not None:
            low, high = Decimal(str(share["minimum"])), Decimal(str(share["maximum"]))
            percent, note = (low + high) / 2, "share.range:midpoint_used"
        elif share:
            return None, "share.open_range:not_kept"
        else:
            return None, ""
        if not (percent.is_finite() and 0 < percent <= _HUNDRED):
            return None, "share.out_of_range:not_kept"
    except InvalidOperation:  # not a number
        return None, "share.invalid:not_kept"
    return percent / _HUNDRED, note


class _Converter:
    def __init__(self, source: str, report: ConversionReport) -> None:
        self.source = source
        self.report = report
        self.conversion = Conversion(report)
        self.ends: dict[tuple[str, str], dict[str, Any]] = {}  # (kind, key) -> tie end
        self.why: dict[tuple[str, str], str] = {}  # (kind, key) -> reason it has no tie end
        self.ties: set[tuple[str, str, str, str | None]] = set()

    def run(self, statements: list[_Statement]) -> Conversion:
        for statement in statements:
            if statement.kind == "entity":
                self._entity(statement)
            elif statement.kind == "person":
                self._person(statement)
        for statement in statements:
            if statement.kind == "relationship":
                self._relationship(statement)
            elif statement.kind not in ("entity", "person"):
                self.report.skip(
                    "statement", f"recordType.unknown:{statement.kind}", statement.origin
                )
        return self.conversion

    def _add(self, kind: str, fields: dict[str, Any], statement: _Statement) -> None:
        record = {
            "type": kind,
            **fields,
            "source": self.source,
            "external_id": clip(statement.key, 100),
            "version": version_of(statement.date),
        }
        self.conversion.add(record, statement.origin)

    def _unmapped(self, kind: str, statement: _Statement, reason: str) -> None:
        self.why[kind, statement.key] = reason
        self.report.skip(kind, reason, f"{statement.origin} {self._label(statement)}".strip())

    @staticmethod
    def _label(statement: _Statement) -> str:
        return str(statement.details.get("name") or _name(statement.details) or "")

    def _entity(self, statement: _Statement) -> None:
        details = statement.details
        uscc, reason = org_key_of(objects(details.get("identifiers")))
        name = clip(details.get("name"), 200)
        if uscc is None or name is None:
            self._unmapped("entity", statement, reason or "name.missing")
            return
        fields: dict[str, Any] = {**org_fields(uscc), "name": name, "roles": [OrgRole.SUPPLIER]}
        address = next(
            (clip(a.get("address"), 2000) for a in objects(details.get("addresses"))), None
        )
        if address:
            fields["address"] = address
        founded = day(details.get("foundingDate"))
        if founded:
            fields["registered_on"] = founded
        self.report.map("entity")
        self.report.note("entity", "role.assumed:SUPPLIER", f"{statement.origin} {name}")
        self.ends["entity", statement.key] = {"org": uscc}
        self._add("organization", fields, statement)

    def _person(self, statement: _Statement) -> None:
        details = statement.details
        person_type = details.get("personType")
        name = _name(details)
        if person_type in ("anonymousPerson", "unknownPerson"):
            self._unmapped("person", statement, f"personType.{person_type}")
            return
        if name is None:
            self._unmapped("person", statement, "name.missing")
            return
        identifier = _person_identifier(details)
        if identifier is None:
            identifier = {"scheme": self.source.upper()[:40], "id": statement.key[:100]}
        self.report.map("person")
        number = _identity_number(identifier)
        if number is not None:  # the person our own records and OCDS bids key by this number
            self.ends["person", statement.key] = {"person": number}
            self._add("person", {"id_number": number, "name": name}, statement)
            return
        self.ends["person", statement.key] = {"person_key": identifier}
        self._add("person", {"identifier": identifier, "name": name}, statement)

    def _end(self, ref: Any) -> tuple[dict[str, Any] | None, str]:
        """A relationship end (0.4: a record id; 0.2/0.3: describedBy...) as our tie end."""
        if isinstance(ref, str):
            slots = [("entity", ref), ("person", ref)]
        else:
            described = obj(ref)
            slots = [
                (kind, str(described[field]))
                for kind, field in (
                    ("entity", "describedByEntityStatement"),
                    ("person", "describedByPersonStatement"),
                )
                if described.get(field)
            ]
            if not slots:
                return None, "unspecified"
        for slot in slots:
            if slot in self.ends:
                return self.ends[slot], ""
            if slot in self.why:
                return None, f"{slot[0]}.not_mapped:{self.why[slot]}"
        return None, "statement.not_in_file"

    def _relationship(self, statement: _Statement) -> None:
        details = statement.details
        subject, subject_reason = self._end(details.get("subject"))
        if subject is not None and "org" not in subject:  # interests are held in entities
            subject, subject_reason = None, "not_an_entity"
        party, party_reason = self._end(details.get("interestedParty"))
        interests = objects(details.get("interests"))
        if not interests:
            self.report.skip("interest", "interests.missing", statement.origin)
        for interest in interests:
            reason, tie = self._interest(interest, statement, subject, party)
            if tie is None:
                if not reason:
                    reason = (
                        f"subject.{subject_reason}"
                        if subject is None
                        else f"interestedParty.{party_reason}"
                    )
                self.report.skip("interest", reason, statement.origin)
                continue
            key = (tie["kind"], str(tie["from"]), str(tie["to"]), tie.get("valid_from"))
            if key in self.ties:
                self.report.skip("interest", "tie.duplicate", statement.origin)
                continue
            self.ties.add(key)
            self.report.map("interest")
            self._add("tie", tie, statement)

    def _interest(
        self,
        interest: dict[str, Any],
        statement: _Statement,
        subject: dict[str, Any] | None,
        party: dict[str, Any] | None,
    ) -> tuple[str, dict[str, Any] | None]:
        """One interest as a tie, or the reason it cannot be one ("" when an end is missing)."""
        raw_type = _KEBAB.sub(lambda m: m.group(1).upper(), str(interest.get("type") or ""))
        kind = _INTERESTS.get(raw_type)
        level = interest.get("directOrIndirect") or interest.get("interestLevel") or "unknown"
        if kind is None:
            return f"type.unmapped:{raw_type or 'missing'}", None
        if level != "direct":
            return f"directOrIndirect.{level}:not_kept", None
        if subject is None or party is None:
            return "", None
        if kind in _PERSON_ONLY and "org" in party:
            return f"{raw_type}.held_by_an_entity", None
        tie: dict[str, Any] = {"kind": kind, "from": party, "to": subject}
        share, note = _share(interest)
        if share is not None and kind is not TieKind.OWNS:
            share, note = None, f"share.not_kept:{raw_type}"  # only ownership has a share
        if note:
            self.report.note("interest", note, statement.origin)
        if share is not None:
            tie["share"] = str(share)
        start, end = day(interest.get("startDate")), day(interest.get("endDate"))
        if end is None and statement.closed:
            end = day(statement.date)
            self.report.note(
                "interest", "record.closed:end_date_from_statementDate", statement.origin
            )
        tie |= {k: v for k, v in (("valid_from", start), ("valid_to", end)) if v}
        return "", tie
