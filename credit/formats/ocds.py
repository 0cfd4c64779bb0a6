"""OCDS 1.1 (with the lots and bids extensions) to our records.

Reads release packages, record packages (the compiled release, else the latest release), JSON
Lines of releases and single releases; several releases of one ocid give way to the latest.
A party becomes an organisation under its valid `CN-USCC` identifier, else under its identifier
in another org-id.guide scheme (UA-EDR, AM-TIN, GB-COH ...); everything that depends on a party
without a valid identifier is skipped and counted. OCDS 1.0
organisations embedded in place of party references are read as parties too. A party's
contactPoint stays on the organisation (phones, e-mails) and becomes the contact (name, phone,
e-mail) of each of its bids in that release. Documents with a `hash` are section
fingerprints (credit/formats/documents.py says which fields carry them and why).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from credit.domain.records import BidStatus, OrgRole, ProcurementCategory, ProcurementMethod
from credit.formats import documents, ocds_ext
from credit.formats.common import (
    Conversion,
    ConversionReport,
    clip,
    day,
    load_documents,
    moment,
    money,
    obj,
    objects,
    org_fields,
    org_key_of,
    record_id,
    source_name,
    strings,
    version_of,
)

_METHODS = {
    "open": ProcurementMethod.OPEN_TENDERING,
    "selective": ProcurementMethod.SELECTIVE_TENDERING,
    "limited": ProcurementMethod.SINGLE_SOURCE,
    "direct": ProcurementMethod.SINGLE_SOURCE,
}
# Read from procurementMethodDetails when the method is `limited` or missing.
_METHOD_DETAILS = (
    ("竞争性谈判", ProcurementMethod.COMPETITIVE_NEGOTIATION),
    ("竞争性磋商", ProcurementMethod.COMPETITIVE_CONSULTATION),
    ("询价", ProcurementMethod.REQUEST_FOR_QUOTATION),
    ("单一来源", ProcurementMethod.SINGLE_SOURCE),
    ("negotiat", ProcurementMethod.COMPETITIVE_NEGOTIATION),
    ("consultation", ProcurementMethod.COMPETITIVE_CONSULTATION),
    ("quotation", ProcurementMethod.REQUEST_FOR_QUOTATION),
    ("inquiry", ProcurementMethod.REQUEST_FOR_QUOTATION),
)
_CATEGORIES = {c.value.lower(): c for c in ProcurementCategory}
_BID_CODES = {
    "pending": BidStatus.VALID,
    "valid": BidStatus.VALID,
    "disqualified": BidStatus.DISQUALIFIED,
    "withdrawn": BidStatus.WITHDRAWN,
}
# Statuses outside the bidStatus codelist that publishers use; kept, and noted in the report.
_BID_ALIASES = {
    "qualified": BidStatus.VALID,
    "active": BidStatus.VALID,
    "not-qualified": BidStatus.DISQUALIFIED,
    "unsuccessful": BidStatus.DISQUALIFIED,
    "invalid": BidStatus.DISQUALIFIED,
    "deleted": BidStatus.WITHDRAWN,
}
_PARTY_ROLES = ("buyer", "procuringEntity", "tenderer", "supplier")


def read(path: Path, source: str | None = None) -> Conversion:
    """Convert one OCDS file; the report says what was mapped, skipped and why."""
    name = source_name(source, "ocds")
    report = ConversionReport("ocds")
    releases: list[dict[str, Any]] = []
    for document in load_documents(path, report):
        releases.extend(_releases(document, report))
    return _Converter(name, report).run(_latest_per_ocid(releases, report))


def _releases(document: Any, report: ConversionReport) -> list[dict[str, Any]]:
    if isinstance(document, list):
        return [r for item in document for r in _releases(item, report)]
    if not isinstance(document, dict):
        report.errors.append("document.type: a package, record or release is a JSON object")
        return []
    if isinstance(document.get("records"), list):
        return [r for rec in document["records"] if (r := _from_record(rec, report))]
    if isinstance(document.get("releases"), list):
        return objects(document["releases"])
    if "ocid" in document:
        return [document]
    report.errors.append("document.unknown: neither a release, a record nor a package")
    return []


def _from_record(record: Any, report: ConversionReport) -> dict[str, Any] | None:
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("compiledRelease"), dict):
        return obj(record["compiledRelease"])
    embedded = [r for r in objects(record.get("releases")) if "ocid" in r]
    if not embedded:
        report.skip("project", "record.no_release_content", str(record.get("ocid")))
        return None
    return max(embedded, key=lambda r: version_of(r.get("date")))


def _latest_per_ocid(
    releases: list[dict[str, Any]], report: ConversionReport
) -> list[tuple[str, dict[str, Any]]]:
    latest: dict[str, dict[str, Any]] = {}
    for release in releases:
        ocid = clip(release.get("ocid"), 100)
        if ocid is None:
            report.skip("project", "ocid.missing", str(release.get("id")))
            continue
        kept = latest.get(ocid)
        if kept is not None:
            report.note("project", "release.superseded_by_later_release", ocid)
            if version_of(release.get("date")) < version_of(kept.get("date")):
                release = kept
        latest[ocid] = release
    return list(latest.items())


def _party_key(ref: Any) -> str | None:
    """How a party reference names its party: the 1.1 `id`, else the embedded identifier."""
    if not isinstance(ref, dict):
        return None
    if ref.get("id") is not None:
        return str(ref["id"])
    ident = obj(ref.get("identifier"))
    if ident.get("id") is not None:
        return f"{ident.get('scheme')}-{ident['id']}"
    return str(ref["name"]) if ref.get("name") else None


def _refs(release: dict[str, Any]) -> list[tuple[Any, str]]:
    """Every party reference of a release with the OCDS role the place implies."""
    tender = obj(release.get("tender"))
    bids = obj(release.get("bids"))
    refs: list[tuple[Any, str]] = [
        (release.get("buyer"), "buyer"),
        (tender.get("procuringEntity"), "procuringEntity"),
    ]
    refs += [(t, "tenderer") for t in objects(tender.get("tenderers"))]
    refs += [(t, "tenderer") for b in objects(bids.get("details")) for t in _tenderers(b)]
    refs += [(s, "supplier") for a in objects(release.get("awards")) for s in _suppliers(a)]
    return refs


def _tenderers(bid: dict[str, Any]) -> list[dict[str, Any]]:
    return objects(bid.get("tenderers"))


def _suppliers(award: dict[str, Any]) -> list[dict[str, Any]]:
    suppliers = award.get("suppliers")
    return [suppliers] if isinstance(suppliers, dict) else objects(suppliers)


def _our_roles(roles: set[str]) -> set[OrgRole]:
    ours = set()
    if "buyer" in roles:
        ours.add(OrgRole.PURCHASER)
    elif "procuringEntity" in roles:
        ours.add(OrgRole.AGENCY)  # runs the procurement for a buyer: an agency
    if roles & {"tenderer", "supplier"}:
        ours.add(OrgRole.SUPPLIER)
    return ours


def _method(tender: dict[str, Any], report: ConversionReport, ocid: str) -> ProcurementMethod:
    method = tender.get("procurementMethod")
    method = method if isinstance(method, str) or method is None else str(method)
    if method in (None, "limited"):
        details = str(tender.get("procurementMethodDetails") or "").lower()
        for word, mapped in _METHOD_DETAILS:
            if word in details:
                return mapped
    if method in _METHODS:
        return _METHODS[method]
    report.note("project", f"procurementMethod.unmapped:{method}->OPEN_TENDERING", ocid)
    return ProcurementMethod.OPEN_TENDERING


def _related_lots(
    item: dict[str, Any], report: ConversionReport, kind: str, example: str
) -> list[str]:
    related = item.get("relatedLots")
    if isinstance(related, list):
        return [str(x) for x in related]
    if item.get("relatedLot") is not None:  # not in the standard, but published (Armenia)
        report.note(kind, "relatedLot.nonstandard_field", example)
        return [str(item["relatedLot"])]
    return []


class _Process(NamedTuple):
    """What every part of one contracting process is read with."""

    ocid: str
    version: int
    project_ok: bool  # whether the project became a record (else its parts are skipped)


class _Converter:
    def __init__(self, source: str, report: ConversionReport) -> None:
        self.source = source
        self.report = report
        self.conversion = Conversion(report)
        self.orgs: dict[str, dict[str, Any]] = {}
        # party key -> its contactPoint in the release being read, as bid fields: in OCDS a
        # party's contact in a release is its contact for that contracting process
        self.contacts: dict[str, dict[str, Any]] = {}
        self.people: dict[str, dict[str, Any]] = {}  # people our extension fields name

    def run(self, releases: list[tuple[str, dict[str, Any]]]) -> Conversion:
        for ocid, release in releases:
            self._release(ocid, release)
        for uscc, org in self.orgs.items():
            org["roles"] = sorted(org["roles"])
            label = f"USCC {uscc}" if "uscc" in org else uscc
            self.conversion.add(org, f"party {org['external_id']} ({label})")
        for number, person in self.people.items():
            origin = f"person ...{number[-4:]} named in a bid"
            self.conversion.add(self._record("person", person, None, 1), origin)
        return self.conversion

    def _record(
        self, kind: str, fields: dict[str, Any], external_id: Any, version: int
    ) -> dict[str, Any]:
        return {
            "type": kind,
            **fields,
            "source": self.source,
            "external_id": clip(external_id, 100),
            "version": version,
        }

    # -- parties ---------------------------------------------------------------------------

    def _parties(self, release: dict[str, Any], ocid: str, version: int) -> dict[str, str]:
        """Party key -> USCC for the release's parties that can be our organisations."""
        parties: dict[str, dict[str, Any]] = {}
        roles: dict[str, set[str]] = {}
        for party in objects(release.get("parties")):
            key = _party_key(party)
            if key is None:
                self.report.skip("party", "id.missing", ocid)
                continue
            if key in parties:
                self.report.note("party", "id.duplicate:roles_merged", f"{ocid} {key}")
            parties.setdefault(key, party)
            roles.setdefault(key, set()).update(strings(party.get("roles")))
        for ref, role in _refs(release):
            key = _party_key(ref)
            if key is None:
                continue
            if key not in parties and (ref.get("identifier") or ref.get("name")):
                parties[key] = ref  # OCDS 1.0: the organisation itself, not a reference
            roles.setdefault(key, set()).add(role)
        usccs = {}
        self.contacts = {}
        for key, party in parties.items():
            uscc = self._party(party, roles.get(key, set()), f"{ocid} party {key}", version)
            if uscc:
                usccs[key] = uscc
                self.contacts[key] = self._contact(party.get("contactPoint"))
        return usccs

    def _party(
        self, party: dict[str, Any], roles: set[str], example: str, version: int
    ) -> str | None:
        identifiers = [party.get("identifier"), *objects(party.get("additionalIdentifiers"))]
        uscc, reason = org_key_of(identifiers)
        ident = obj(party.get("identifier"))
        name = clip(party.get("name") or ident.get("legalName"), 200)
        ours = _our_roles(roles)
        for role in sorted(roles - set(_PARTY_ROLES)):
            self.report.note("party", f"role.unmapped:{role}", example)
        if uscc is None:
            self.report.skip("party", reason, f"{example} ({ident.get('scheme') or 'no scheme'})")
            return None
        if name is None or not ours:
            self.report.skip(
                "party", "name.missing" if name is None else "roles.none_mapped", example
            )
            return None
        self.report.map("party")
        self._organisation(uscc, party, name, ours, version)
        return uscc

    def _organisation(
        self, uscc: str, party: dict[str, Any], name: str, roles: set[OrgRole], version: int
    ) -> None:
        """One organisation per USCC for the whole file: roles gathered from every release."""
        contact = obj(party.get("contactPoint"))
        org = self.orgs.get(uscc)
        if org is None:
            org = self.orgs[uscc] = self._record(
                "organization",
                {**org_fields(uscc), "name": name, "roles": set()},
                party.get("id") or uscc,
                version,
            )
            address = _address(party.get("address"))
            if address:
                org["address"] = address
            for field, key in (("phones", "telephone"), ("emails", "email")):
                values = _split(contact.get(key))
                if values:
                    org[field] = values
        org["roles"] |= roles
        org["version"] = max(org["version"], version)

    # -- the contracting process -----------------------------------------------------------

    def _release(self, ocid: str, release: dict[str, Any]) -> None:
        version = version_of(release.get("date"))
        usccs = self._parties(release, ocid, version)
        tender = obj(release.get("tender"))
        pid = record_id(ocid)
        project_ok = self._project(release, tender, pid, ocid, usccs, version)
        lots = self._lots(tender, pid, ocid, project_ok, version)
        process = _Process(ocid, version, project_ok)
        bids = self._items(
            "bid",
            "bids.details",
            objects(obj(release.get("bids")).get("details")),
            lambda bid, example: self._bid(bid, lots, usccs, example),
            process,
        )
        awards = self._items(
            "award",
            "awards",
            objects(release.get("awards")),
            lambda award, example: self._award(award, lots, bids, usccs, example),
            process,
        )
        self._contracts(release, awards, ocid, version)

    def _project(
        self,
        release: dict[str, Any],
        tender: dict[str, Any],
        pid: str,
        ocid: str,
        usccs: dict[str, str],
        version: int,
    ) -> bool:
        buyer = _party_key(release.get("buyer"))
        if buyer is None:
            buyer = next(
                (
                    _party_key(p)
                    for p in objects(release.get("parties"))
                    if "buyer" in strings(p.get("roles"))
                ),
                None,
            )
        purchaser = usccs.get(buyer or "")
        period = obj(tender.get("tenderPeriod"))
        published = day(tender.get("datePublished")) or day(period.get("startDate"))
        published = published or day(release.get("date"))
        if purchaser is None:
            self.report.skip(
                "project", "buyer.missing" if buyer is None else "buyer.not_mapped", ocid
            )
            return False
        if published is None:
            self.report.skip("project", "date.missing", ocid)
            return False
        fields: dict[str, Any] = {
            "id": pid,
            "name": clip(tender.get("title") or release.get("title"), 200) or ocid,
            "purchaser": purchaser,
            "ocid": ocid,
            "method": _method(tender, self.report, ocid),
            "published_on": published,
        }
        agency = usccs.get(_party_key(tender.get("procuringEntity")) or "")
        if agency and agency != purchaser:
            fields["agency"] = agency
        category = tender.get("mainProcurementCategory")
        if isinstance(category, str) and category in _CATEGORIES:
            fields["category"] = _CATEGORIES[category]
        elif category is not None:
            self.report.note("project", f"mainProcurementCategory.unmapped:{category}", ocid)
        budget, _ = money(tender.get("value"))
        if budget:
            fields["budget"] = budget
        if found := documents.sections(tender.get("documents"), self.report, "project", ocid):
            fields["sections"] = found
        self.report.map("project")
        self.conversion.add(self._record("project", fields, ocid, version), ocid)
        return True

    def _lots(
        self, tender: dict[str, Any], pid: str, ocid: str, project_ok: bool, version: int
    ) -> dict[str, str]:
        """OCDS lot id -> our lot id (also when the project is skipped, so that bids and
        awards report their own problems); one implicit lot `<ocid>/1` without tender.lots."""
        period = obj(tender.get("tenderPeriod"))
        lots = objects(tender.get("lots")) or [
            {"id": "1", "title": tender.get("title"), "value": tender.get("value")}
        ]
        ours: dict[str, str] = {}
        for lot in lots:
            if lot.get("id") is None:
                self.report.skip("lot", "id.missing", ocid)
                continue
            lot_id = str(lot["id"])
            example = f"{ocid} lot {lot_id}"
            ours[lot_id] = record_id(ocid, lot_id)
            if not project_ok:
                self.report.skip("lot", "project.not_mapped", example)
                continue
            fields: dict[str, Any] = {
                "id": ours[lot_id],
                "project": pid,
                "name": clip(lot.get("title") or lot.get("description"), 200) or f"Lot {lot_id}",
            }
            deadline = moment(obj(lot.get("tenderPeriod")).get("endDate") or period.get("endDate"))
            if deadline:
                fields["bid_deadline"] = deadline
            budget, _ = money(lot.get("value"))
            if budget:
                fields["budget"] = budget
            self.report.map("lot")
            self.conversion.add(self._record("lot", fields, lot_id, version), example)
        return ours

    def _lot_of(
        self, item: dict[str, Any], lots: dict[str, str], kind: str, example: str
    ) -> tuple[str | None, str]:
        related = _related_lots(item, self.report, kind, example)
        if not related:
            return (
                (next(iter(lots.values())), "") if len(lots) == 1 else (None, "relatedLots.missing")
            )
        if len(related) > 1:
            return None, "relatedLots.several:value_cannot_be_split"
        lot = lots.get(related[0])
        return (lot, "") if lot else (None, "relatedLots.unknown_lot")

    def _items(
        self,
        kind: str,
        place: str,
        items: list[dict[str, Any]],
        read: Callable[[dict[str, Any], str], tuple[dict[str, Any] | None, str]],
        process: _Process,
    ) -> dict[str, str]:
        """OCDS id -> our id of the bids or awards (`kind`) that became records; `read` turns
        one into our fields, or None and the reason it is skipped."""
        ours: dict[str, str] = {}
        for index, item in enumerate(items, start=1):
            item_id = str(item.get("id") or index)
            example = f"{process.ocid} {kind} {item_id}"
            fields, reason = read(item, example)
            if fields is None or not process.project_ok:
                self.report.skip(kind, reason or "project.not_mapped", example)
                continue
            if kind == "bid" and item.get("id") is None:
                self.report.note(kind, "id.missing:position_used", example)
            fields["id"] = ours[item_id] = record_id(process.ocid, kind, item_id)
            self.report.map(kind)
            origin = f"{process.ocid} {place}[{index - 1}]"
            self.conversion.add(self._record(kind, fields, item_id, process.version), origin)
        return ours

    def _bid(
        self, bid: dict[str, Any], lots: dict[str, str], usccs: dict[str, str], example: str
    ) -> tuple[dict[str, Any] | None, str]:
        raw = str(bid.get("status") or "valid")
        if raw == "invited":
            return None, "status.invited:no_bid_submitted"
        status = _BID_CODES.get(raw) or _BID_ALIASES.get(raw)
        if status is None:
            self.report.note("bid", f"status.unknown:{raw}->VALID", example)
        elif raw not in _BID_CODES:
            self.report.note("bid", f"status.nonstandard:{raw}->{status}", example)
        lot, reason = self._lot_of(bid, lots, "bid", example)
        if lot is None:
            return None, reason
        keys = [_party_key(t) or "" for t in _tenderers(bid)]
        tenderers = [usccs.get(k) for k in keys]
        if not tenderers:
            return None, "tenderers.missing"
        if None in tenderers:
            return None, "tenderer.not_mapped"
        valued, reason = _value_and_date(bid, moment)
        if valued is None:
            return None, reason
        price, submitted = valued
        found = documents.sections(bid.get("documents"), self.report, "bid", example)
        return {
            **({"sections": found} if found else {}),
            "lot": lot,
            "supplier": tenderers[0],
            "consortium_members": tenderers[1:],
            "price": price,
            "submitted_at": submitted,
            "status": status or BidStatus.VALID,
            **self.contacts.get(keys[0], {}),  # the lead tenderer's contact answers for the bid
            **self._extension(bid),
        }, ""

    def _extension(self, bid: dict[str, Any]) -> dict[str, Any]:
        """Our extension's bid fields (credit.formats.ocds_ext), and the people they name."""
        fields, people = ocds_ext.read_bid(bid)
        self._met(people)
        return fields

    def _contact(self, point: Any) -> dict[str, Any]:
        fields, people = ocds_ext.contact_person(point)
        self._met(people)
        return _contact(point) | fields

    def _met(self, people: list[dict[str, Any]]) -> None:
        for person in people:
            self.people.setdefault(person["id_number"], person)

    def _award(
        self,
        award: dict[str, Any],
        lots: dict[str, str],
        bids: dict[str, str],
        usccs: dict[str, str],
        example: str,
    ) -> tuple[dict[str, Any] | None, str]:
        status = award.get("status")
        if status is None:
            self.report.note("award", "status.missing:read_as_active", example)
        elif status != "active":
            return None, f"status.{status}"
        suppliers = _suppliers(award)
        if len(suppliers) != 1:
            return None, "suppliers.missing" if not suppliers else "suppliers.several"
        supplier = usccs.get(_party_key(suppliers[0]) or "")
        if supplier is None:
            return None, "supplier.not_mapped"
        lot, reason = self._lot_of(award, lots, "award", example)
        if lot is None:
            return None, reason
        valued, reason = _value_and_date(award, day)
        if valued is None:
            return None, reason
        amount, awarded = valued
        fields: dict[str, Any] = {
            "lot": lot,
            "supplier": supplier,
            "amount": amount,
            "awarded_on": awarded,
        }
        related = award.get("relatedBids") or (
            [award["relatedBid"]] if award.get("relatedBid") else []
        )
        if isinstance(related, list) and len(related) == 1 and str(related[0]) in bids:
            fields["bid"] = bids[str(related[0])]
        elif related:
            self.report.note("award", "relatedBids.not_linked", example)
        return fields, ""

    def _contracts(
        self, release: dict[str, Any], awards: dict[str, str], ocid: str, version: int
    ) -> None:
        for index, contract in enumerate(objects(release.get("contracts")), start=1):
            contract_id = str(contract.get("id") or index)
            example = f"{ocid} contract {contract_id}"
            award = awards.get(str(contract.get("awardID")))
            signed = day(contract.get("dateSigned"))
            amount, reason = money(contract.get("value"))
            if contract.get("status") == "cancelled":
                reason = "status.cancelled"
            elif award is None:
                reason = "award.not_mapped"
            elif signed is None:
                reason = "dateSigned.missing"
            if reason:
                self.report.skip("contract", reason, example)
                continue
            fields = {
                "id": record_id(ocid, "contract", contract_id),
                "award": award,
                "signed_on": signed,
                "amount": amount,
            }
            self.report.map("contract")
            origin = f"{ocid} contracts[{index - 1}]"
            self.conversion.add(self._record("contract", fields, contract_id, version), origin)


def _value_and_date(
    item: dict[str, Any], read_date: Callable[[Any], str | None]
) -> tuple[tuple[dict[str, str], str] | None, str]:
    """A bid's or an award's value and date, or None and the reason one is missing."""
    amount, reason = money(item.get("value"))
    if amount is None:
        return None, reason
    dated = read_date(item.get("date"))
    if dated is None:
        return None, "date.missing"
    return (amount, dated), ""


def _address(address: Any) -> str | None:
    if not isinstance(address, dict):
        return None
    parts = ("streetAddress", "locality", "region", "postalCode", "countryName")
    return clip(", ".join(str(address[p]) for p in parts if address.get(p)), 2000)


def _contact(point: Any) -> dict[str, str]:
    """A contactPoint as a bid's contact: the person's name, the first phone and e-mail."""
    point = obj(point)
    fields = {
        "contact_name": clip(point.get("name"), 200),
        "contact_phone": next(iter(_split(point.get("telephone"))), None),
        "contact_email": next(iter(_split(point.get("email"))), None),
    }
    return {k: v for k, v in fields.items() if v}


def _split(value: Any) -> list[str]:
    """Phones and e-mails as published: several in one field are split, repeats dropped."""
    if not isinstance(value, str):
        return []
    found = [clip(v, 100) for v in value.replace(";", ",").split(",")]
    return list(dict.fromkeys(v for v in found if v))[:20]
