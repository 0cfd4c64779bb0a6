"""Our records as OCDS 1.1 releases (bids and lots extensions, and ours: credit.formats.ocds_ext)
plus BODS 0.4 statements, and the rest in our own format: what neither standard can carry.

`credit evaluate --route ocds` writes a planted market this way and loads it through the same
readers as real open data, so a fact a detector needs that does not survive the standards shows
as a lost case. One release per project (the compiled state: tender, lots, bids, awards), one
BODS entity per supplier, one person statement per person in an interest, one relationship
statement per direct interest. The standards have no place for employment, supervisory board
seats, kinship, membership of a group or association, review panels, penalty decisions or a
person's expert profile: those records stay in our format (`REMAINDER`), and the table of
`credit evaluate` says which patterns need them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from credit.domain.identifiers import USCC_SCHEME
from credit.formats import documents, ocds_ext
from credit.formats.bods import PERSON_SCHEME
from credit.formats.common import record_id

Record = dict[str, Any]
RELEASES = "releases.jsonl"
STATEMENTS = "statements.json"
REMAINDER = "remainder.jsonl"
PUBLISHED = "2026-12-01T00:00:00+08:00"
CURRENCY = "CNY"

# Our tie kinds that BODS 0.4 interests carry, and the interest type each becomes (the reader
# maps them back: seniorManagingOfficial to LEGAL_REP_OF, the controls to CONTROLS).
BODS_INTERESTS = {
    "LEGAL_REP_OF": "seniorManagingOfficial",
    "RESPONSIBLE_FOR": "seniorManagingOfficial",
    "OWNS": "shareholding",
    "CONTROLS": "otherInfluenceOrControl",
    "MANAGES": "otherInfluenceOrControl",
    "DIRECTOR_OF": "boardMember",
}
_STATUS = {"VALID": "valid", "DISQUALIFIED": "disqualified", "WITHDRAWN": "withdrawn"}
_CATEGORY = {"GOODS": "goods", "WORKS": "works", "SERVICES": "services"}


@dataclass
class Export:
    releases: list[Record] = field(default_factory=list)
    statements: list[Record] = field(default_factory=list)
    remainder: list[Record] = field(default_factory=list)
    lots: dict[str, str] = field(default_factory=dict)  # our lot id -> the OCDS reader's

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        with (out / RELEASES).open("w", encoding="utf-8") as handle:
            for release in self.releases:
                handle.write(json.dumps(release, ensure_ascii=False) + "\n")
        (out / STATEMENTS).write_text(
            json.dumps(self.statements, ensure_ascii=False), encoding="utf-8"
        )
        with (out / REMAINDER).open("w", encoding="utf-8") as handle:
            for record in self.remainder:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _money(value: Record | None) -> Record | None:
    if not value:
        return None
    return {"amount": float(Decimal(value["amount"])), "currency": value.get("currency", CURRENCY)}


def _org_party(org: Record, roles: list[str]) -> Record:
    party: Record = {
        "id": org["uscc"],
        "name": org["name"],
        "identifier": {"scheme": USCC_SCHEME, "id": org["uscc"], "legalName": org["name"]},
        "roles": roles,
    }
    if org.get("address"):
        party["address"] = {"streetAddress": org["address"], "countryName": "中国"}
    return party


class _Writer:
    def __init__(self, records: Iterable[Record]) -> None:
        self.by_type: dict[str, list[Record]] = defaultdict(list)
        for record in records:
            self.by_type[record["type"]].append(record)
        self.orgs = {o["uscc"]: o for o in self.by_type["organization"]}
        self.names = {p["id_number"]: p["name"] for p in self.by_type["person"]}
        self.names |= {uscc: o["name"] for uscc, o in self.orgs.items()}
        self.holders = {
            account: uscc for uscc, o in self.orgs.items() for account in o.get("bank_accounts", ())
        }
        self.export = Export()

    def run(self) -> Export:
        self._bods()
        self._ocds()
        return self.export

    # -- BODS ------------------------------------------------------------------------------

    def _bods(self) -> None:
        carried = [t for t in self.by_type["tie"] if t["kind"] in BODS_INTERESTS]
        in_bods = {
            end["person"] for t in carried for end in (t["from"], t["to"]) if "person" in end
        }
        for org in self.orgs.values():
            if "SUPPLIER" in org["roles"]:
                self.export.statements.append(self._entity(org))
        for person in self.by_type["person"]:
            if person["id_number"] in in_bods:
                self.export.statements.append(self._person(person))
            if person["id_number"] not in in_bods or person.get("expert"):
                self.export.remainder.append(person)
        for n, tie in enumerate(carried, start=1):
            self.export.statements.append(self._relationship(n, tie))
        self.export.remainder += [t for t in self.by_type["tie"] if t["kind"] not in BODS_INTERESTS]
        self.export.remainder += self.by_type["group"]

    @staticmethod
    def _statement(record_type: str, record_id_: str, details: Record) -> Record:
        return {
            "statementId": f"credit-export-{record_type}-{record_id_}".ljust(32, "0"),
            "declarationSubject": record_id_,
            "statementDate": PUBLISHED[:10],
            "recordId": record_id_,
            "recordType": record_type,
            "recordDetails": details,
            "publicationDetails": {
                "publicationDate": PUBLISHED[:10],
                "bodsVersion": "0.4",
                "publisher": {"name": "credit evaluate"},
            },
        }

    def _entity(self, org: Record) -> Record:
        details: Record = {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
            "name": org["name"],
            "jurisdiction": {"name": "China", "code": "CN"},
            "identifiers": [{"scheme": USCC_SCHEME, "id": org["uscc"]}],
        }
        if org.get("registered_on"):
            details["foundingDate"] = org["registered_on"]
        if org.get("address"):
            details["addresses"] = [
                {"type": "registered", "address": org["address"], "country": {"code": "CN"}}
            ]
        return self._statement("entity", f"entity-{org['uscc']}", details)

    def _person(self, person: Record) -> Record:
        details = {
            "isComponent": False,
            "personType": "knownPerson",
            "names": [{"type": "individual", "fullName": person["name"]}],
            "identifiers": [{"scheme": PERSON_SCHEME, "id": person["id_number"]}],
        }
        return self._statement("person", f"person-{person['id_number']}", details)

    @staticmethod
    def _end(end: Record) -> str:
        return f"entity-{end['org']}" if "org" in end else f"person-{end['person']}"

    def _relationship(self, n: int, tie: Record) -> Record:
        interest: Record = {
            "type": BODS_INTERESTS[tie["kind"]],
            "directOrIndirect": "direct",
            "beneficialOwnershipOrControl": tie["kind"] in ("OWNS", "CONTROLS")
            and "person" in tie["from"],
        }
        if tie["kind"] == "MANAGES":
            interest["details"] = "management relationship (管理关系)"
        if tie["kind"] == "RESPONSIBLE_FOR":
            interest["details"] = "responsible person (负责人)"
        if tie.get("share") is not None:
            interest["share"] = {"exact": float(Decimal(tie["share"]) * 100)}
        if tie.get("valid_from"):
            interest["startDate"] = tie["valid_from"]
        if tie.get("valid_to"):
            interest["endDate"] = tie["valid_to"]
        details = {
            "isComponent": False,
            "subject": self._end(tie["to"]),
            "interestedParty": self._end(tie["from"]),
            "interests": [interest],
        }
        return self._statement("relationship", f"relationship-{n}", details)

    # -- OCDS ------------------------------------------------------------------------------

    def _ocds(self) -> None:
        lots: dict[str, list[Record]] = defaultdict(list)
        for lot in self.by_type["lot"]:
            lots[lot["project"]].append(lot)
        bids: dict[str, list[Record]] = defaultdict(list)
        for bid in self.by_type["bid"]:
            bids[bid["lot"]].append(bid)
        awards: dict[str, list[Record]] = defaultdict(list)
        for award in self.by_type["award"]:
            awards[award["lot"]].append(award)
        for project in self.by_type["project"]:
            self.export.releases.append(self._release(project, lots[project["id"]], bids, awards))
        lot_ids = self.export.lots
        for review in self.by_type["review"]:
            self.export.remainder.append(review | {"lot": lot_ids[review["lot"]]})
        self.export.remainder += self.by_type["violation"]

    def _release(
        self,
        project: Record,
        lots: list[Record],
        bids: dict[str, list[Record]],
        awards: dict[str, list[Record]],
    ) -> Record:
        ocid = project["ocid"]
        parties: dict[str, Record] = {}

        def party(uscc: str, role: str) -> Record:
            entry = parties.setdefault(uscc, _org_party(self.orgs[uscc], []))
            if role not in entry["roles"]:
                entry["roles"].append(role)
            return {"id": uscc, "name": self.orgs[uscc]["name"]}

        buyer = party(project["purchaser"], "buyer")
        tender: Record = {
            "id": project["id"],
            "title": project["name"],
            "status": "complete",
            "procurementMethod": "open",
            "datePublished": project["published_on"],
            "lots": [],
        }
        if sections := project.get("sections"):
            tender["documents"] = documents.write(sections, "biddingDocuments")
        if project.get("category") in _CATEGORY:
            tender["mainProcurementCategory"] = _CATEGORY[project["category"]]
        if project.get("agency"):
            tender["procuringEntity"] = party(project["agency"], "procuringEntity")
        details, release_awards = [], []
        for lot in lots:
            self.export.lots[lot["id"]] = record_id(ocid, lot["id"])
            entry: Record = {"id": lot["id"], "title": lot["name"]}
            if value := _money(lot.get("budget")):
                entry["value"] = value
            if lot.get("bid_deadline"):
                entry["tenderPeriod"] = {"endDate": lot["bid_deadline"]}
            tender["lots"].append(entry)
            for bid in bids[lot["id"]]:
                details.append(self._bid(bid, party, parties))
            for award in awards[lot["id"]]:
                release_awards.append(
                    {
                        "id": award["id"],
                        "status": "active",
                        "date": award["awarded_on"],
                        "value": _money(award["amount"]),
                        "suppliers": [party(award["supplier"], "supplier")],
                        "relatedLots": [lot["id"]],
                    }
                )
        release: Record = {
            "ocid": ocid,
            "id": f"{project['id']}-compiled",
            "date": PUBLISHED,
            "tag": ["compiled"],
            "initiationType": "tender",
            "parties": list(parties.values()),
            "buyer": buyer,
            "tender": tender,
            "bids": {"details": details},
        }
        if release_awards:
            release["awards"] = release_awards
        return release

    def _bid(self, bid: Record, party: Any, parties: dict[str, Record]) -> Record:
        tenderer = party(bid["supplier"], "tenderer")
        contact = self._contact_point(bid)
        if contact:  # a party's contact in a release is its contact for this process
            parties[bid["supplier"]]["contactPoint"] = contact
        return {
            "id": bid["id"],
            "date": bid["submitted_at"],
            "status": _STATUS[bid.get("status", "VALID")],
            "tenderers": [tenderer],
            "value": _money(bid["price"]),
            "relatedLots": [bid["lot"]],
            **({"documents": documents.write(bid["sections"])} if bid.get("sections") else {}),
            **ocds_ext.write_bid(bid, self.names, self.holders),
        }

    def _contact_point(self, bid: Record) -> Record:
        point: Record = {}
        person = (bid.get("contact") or {}).get("person")
        if person:
            point["name"] = self.names.get(person, person)
            point["identifier"] = {"scheme": PERSON_SCHEME, "id": person}
        elif bid.get("contact_name"):
            point["name"] = bid["contact_name"]
        if bid.get("contact_phone"):
            point["telephone"] = bid["contact_phone"]
        if bid.get("contact_email"):
            point["email"] = bid["contact_email"]
        return point


def export(records: Iterable[Record]) -> Export:
    """Split our records into OCDS releases, BODS statements and the remainder."""
    return _Writer(records).run()
