"""How each validated record becomes nodes and relationships.

Plain functions from a record to a GraphWrite; the store turns GraphWrites into batched,
parameterised Cypher. Identity numbers are hashed and masked here, before anything leaves
the process.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from credit.domain import records as r
from credit.domain.identifiers import hash_identity_number, key_scheme, mask_identity_number

Props = dict[str, Any]


@dataclass(frozen=True)
class NodeWrite:
    uid: str
    labels: tuple[str, ...]
    props: Props


@dataclass(frozen=True)
class EdgeWrite:
    type: str
    start: str
    end: str
    props: Props = field(default_factory=dict)


@dataclass
class GraphWrite:
    """Everything one record writes. `node` is None for relationship records (ties, reviews),
    whose identity then lives on the relationship itself (`edge_record`)."""

    uid: str
    node: NodeWrite | None
    edge_record: EdgeWrite | None = None
    edges: list[EdgeWrite] = field(default_factory=list)
    hubs: list[NodeWrite] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # uid -> field that referenced it
    provenance: Props = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        body = {
            "node": self.node.props if self.node else None,
            "labels": self.node.labels if self.node else None,
            "edge": self.edge_record.props if self.edge_record else None,
            "edges": [(e.type, e.start, e.end, e.props) for e in self.edges],
        }
        canonical = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def org_uid(uscc: str) -> str:
    return f"org:{uscc}"


def person_uid(id_hash: str) -> str:
    return f"person:{id_hash}"


def key_uid(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def _norm(value: str) -> str:
    return re.sub(r"[\s\-()]+", "", value).lower()


def _money(prefix: str, money: r.Money | None) -> Props:
    if money is None:
        return {}
    return {
        f"{prefix}_amount": float(money.amount),
        f"{prefix}_exact": str(money.amount),
        f"{prefix}_currency": money.currency,
    }


def _clean(props: Props) -> Props:
    out: Props = {}
    for key, value in props.items():
        if value is None:
            out[key] = None  # explicit null: `SET n += props` then removes a dropped field
            continue
        if isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, list):
            value = [str(v) for v in value]
        elif not isinstance(value, str | int | float | bool | date | datetime):
            value = str(value)
        out[key] = value
    return out


class Mapper:
    """Maps records to graph writes; holds the deployment secret that salts identity hashes."""

    def __init__(self, secret: str) -> None:
        # bids and reviews name the same people again and again; the keyed hash is the cost
        self._hash = lru_cache(maxsize=200_000)(partial(hash_identity_number, secret=secret))
        self._by_type: dict[type[Any], Callable[[Any], GraphWrite]] = {
            r.Organization: self._organization,
            r.Person: self._person,
            r.Group: self._group,
            r.Tie: self._tie,
            r.Project: self._project,
            r.Lot: self._lot,
            r.Bid: self._bid,
            r.Award: self._award,
            r.Contract: self._contract,
            r.Review: self._review,
            r.Violation: self._violation,
            r.ExternalListing: self._listing,
            r.Complaint: self._complaint,
            r.Evaluation: self._evaluation,
        }

    def person_uid_for(self, id_number: str) -> str:
        return person_uid(self._hash(id_number))

    def person_key_hash(self, key: r.PersonIdentifier) -> str:
        return self._hash(f"{key.scheme}:{key.id}")

    def party_uid(
        self, ref: r.OrgRef | r.PersonRef | r.PersonKeyRef | r.ProjectRef | r.GroupRef
    ) -> str:
        if isinstance(ref, r.OrgRef):
            return org_uid(ref.org)
        if isinstance(ref, r.PersonRef):
            return self.person_uid_for(ref.person)
        if isinstance(ref, r.PersonKeyRef):
            return person_uid(self.person_key_hash(ref.person_key))
        if isinstance(ref, r.ProjectRef):
            return key_uid("project", ref.project)
        return key_uid("group", ref.group)

    def map(self, record: r.Record) -> GraphWrite:
        write = self._by_type[type(record)](record)
        write.provenance = {
            "source": record.source,
            "external_id": record.external_id,
            "version": record.version,
            "record_type": record.type,
        }
        return write

    # -- parties -------------------------------------------------------------------------

    def _contact_hubs(
        self, write: GraphWrite, phones: list[str], emails: list[str], accounts: list[str]
    ) -> None:
        for label, rel, values in (
            ("Phone", "HAS_PHONE", phones),
            ("Email", "HAS_EMAIL", emails),
            ("BankAccount", "HOLDS_ACCOUNT", accounts),
        ):
            for value in values:
                hub = f"{label.lower()}:{_norm(value)}"
                write.hubs.append(NodeWrite(hub, ("Identifier", label), {"value": value}))
                write.edges.append(EdgeWrite(rel, write.uid, hub))

    def _organization(self, rec: r.Organization) -> GraphWrite:
        key = rec.key
        uid = org_uid(key)
        labels = ("Organization", *sorted(role.title() for role in rec.roles))
        props = _clean(
            {
                "key": key,
                "uscc": rec.uscc,
                "name": rec.name,
                "roles": sorted(rec.roles),
                "region": rec.region,
                "registered_on": rec.registered_on,
                "address": rec.address,
            }
        )
        if rec.uscc is None:  # open data from elsewhere: UA-EDR, GB-COH ... (none means CN-USCC)
            props["scheme"] = key_scheme(key)
        write = GraphWrite(uid, NodeWrite(uid, labels, props))
        self._contact_hubs(write, rec.phones, rec.emails, rec.bank_accounts)
        if rec.address:
            hub = f"address:{_norm(rec.address)}"
            write.hubs.append(NodeWrite(hub, ("Identifier", "Address"), {"value": rec.address}))
            write.edges.append(EdgeWrite("LOCATED_AT", uid, hub))
        return write

    def _person(self, rec: r.Person) -> GraphWrite:
        if rec.id_number is not None:
            id_hash = self._hash(rec.id_number)
            masked = mask_identity_number(rec.id_number)
        else:
            assert rec.identifier is not None
            id_hash = self.person_key_hash(rec.identifier)
            masked = f"{rec.identifier.scheme}:" + "*" * 8
        uid = person_uid(id_hash)
        labels: tuple[str, ...] = ("Person",)
        props: Props = {"key": id_hash, "id_hash": id_hash, "id_masked": masked, "name": rec.name}
        write = GraphWrite(uid, None)
        if rec.expert is not None:
            labels = ("Person", "Expert")
            props |= {"specialties": sorted(rec.expert.specialties), "active": rec.expert.active}
            if rec.expert.employer:
                write.refs[org_uid(rec.expert.employer)] = "expert.employer"
                write.edges.append(EdgeWrite("WORKS_FOR", uid, org_uid(rec.expert.employer)))
        write.node = NodeWrite(uid, labels, _clean(props))
        self._contact_hubs(write, rec.phones, rec.emails, [])
        return write

    def _group(self, rec: r.Group) -> GraphWrite:
        uid = key_uid("group", rec.id)
        props = _clean({"key": rec.id, "name": rec.name, "kind": rec.kind})
        return GraphWrite(uid, NodeWrite(uid, ("Group",), props))

    def _tie(self, rec: r.Tie) -> GraphWrite:
        start, end = self.party_uid(rec.source_party), self.party_uid(rec.target)
        key = f"{rec.kind}|{start}|{end}|{rec.valid_from or ''}"
        uid = "tie:" + hashlib.sha256(key.encode()).hexdigest()[:24]
        props = _clean(
            {
                "uid": uid,
                "share": rec.share,
                "kinship": rec.kinship,
                "service": rec.service,
                "valid_from": rec.valid_from,
                "valid_to": rec.valid_to,
            }
        )
        write = GraphWrite(uid, None, edge_record=EdgeWrite(rec.kind.value, start, end, props))
        write.refs = {start: "from", end: "to"}
        return write

    # -- procurement ---------------------------------------------------------------------

    def _project(self, rec: r.Project) -> GraphWrite:
        uid = key_uid("project", rec.id)
        props = _clean(
            {
                "key": rec.id,
                "name": rec.name,
                "ocid": rec.ocid,
                "method": rec.method,
                "category": rec.category,
                "published_on": rec.published_on,
                **_money("budget", rec.budget),
            }
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Project",), props))
        write.refs[org_uid(rec.purchaser)] = "purchaser"
        write.edges.append(EdgeWrite("PURCHASED_BY", uid, org_uid(rec.purchaser)))
        if rec.agency:
            write.refs[org_uid(rec.agency)] = "agency"
            write.edges.append(EdgeWrite("RUN_BY", uid, org_uid(rec.agency)))
        return write

    def _lot(self, rec: r.Lot) -> GraphWrite:
        uid = key_uid("lot", rec.id)
        props = _clean(
            {
                "key": rec.id,
                "name": rec.name,
                "bid_deadline": rec.bid_deadline,
                **_money("budget", rec.budget),
            }
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Lot",), props))
        project = key_uid("project", rec.project)
        write.refs[project] = "project"
        write.edges.append(EdgeWrite("HAS_LOT", project, uid))
        return write

    def _bid(self, rec: r.Bid) -> GraphWrite:
        uid = key_uid("bid", rec.id)
        props = _clean(
            {
                "key": rec.id,
                "submitted_at": rec.submitted_at,
                "status": rec.status,
                "file_fingerprint": rec.file_fingerprint,
                "contact_name": rec.contact_name,
                "deposit_holder_name": rec.deposit_holder_name,
                "consortium": bool(rec.consortium_members),
                **_money("price", rec.price),
            }
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Bid",), props))
        if rec.supplier_person is not None:  # a natural person (Law Art. 21)
            supplier, field = self.person_uid_for(rec.supplier_person), "supplier_person"
        else:
            assert rec.supplier is not None
            supplier, field = org_uid(rec.supplier), "supplier"
        lot = key_uid("lot", rec.lot)
        write.refs |= {lot: "lot", supplier: field}
        write.edges += [EdgeWrite("SUBMITTED", supplier, uid), EdgeWrite("FOR_LOT", uid, lot)]
        for i, member in enumerate(rec.consortium_members):
            write.refs[org_uid(member)] = f"consortium_members.{i}"
            write.edges.append(EdgeWrite("CONSORTIUM_MEMBER_OF", org_uid(member), uid))
        for name, rel, party in (
            ("preparer", "PREPARED_BY", rec.preparer),
            ("agent", "AGENT", rec.agent),
            ("contact", "CONTACT", rec.contact),
        ):
            if party is not None:
                target = self.party_uid(party)
                write.refs[target] = name
                write.edges.append(EdgeWrite(rel, uid, target))
        if rec.contact_phone:
            hub = f"phone:{_norm(rec.contact_phone)}"
            write.hubs.append(NodeWrite(hub, ("Identifier", "Phone"), {"value": rec.contact_phone}))
            write.edges.append(EdgeWrite("CONTACT_PHONE", uid, hub))
        if rec.contact_email:
            hub = f"email:{_norm(rec.contact_email)}"
            write.hubs.append(NodeWrite(hub, ("Identifier", "Email"), {"value": rec.contact_email}))
            write.edges.append(EdgeWrite("CONTACT_EMAIL", uid, hub))
        if rec.deposit_account:
            hub = f"bankaccount:{_norm(rec.deposit_account)}"
            write.hubs.append(
                NodeWrite(hub, ("Identifier", "BankAccount"), {"value": rec.deposit_account})
            )
            write.edges.append(EdgeWrite("DEPOSIT_FROM", uid, hub))
            if rec.deposit_holder is not None:
                holder = self.party_uid(rec.deposit_holder)
                write.refs[holder] = "deposit_holder"
                write.edges.append(EdgeWrite("HOLDS_ACCOUNT", holder, hub))
        for i, seat in enumerate(rec.team):
            person = self.party_uid(seat.person)
            write.refs[person] = f"team.{i}.person"
            write.edges.append(EdgeWrite("TEAM_MEMBER", uid, person, {"role": seat.role.value}))
        for device in rec.devices:
            hub = f"device:{device.kind.lower()}:{_norm(device.value)}"
            write.hubs.append(
                NodeWrite(
                    hub, ("Identifier", "Device"), {"value": device.value, "kind": device.kind}
                )
            )
            write.edges.append(EdgeWrite("CREATED_ON", uid, hub))
        return write

    def _award(self, rec: r.Award) -> GraphWrite:
        uid = key_uid("award", rec.id)
        props = _clean(
            {"key": rec.id, "awarded_on": rec.awarded_on, **_money("amount", rec.amount)}
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Award",), props))
        lot, supplier = key_uid("lot", rec.lot), org_uid(rec.supplier)
        write.refs |= {lot: "lot", supplier: "supplier"}
        write.edges += [EdgeWrite("AWARD_OF", uid, lot), EdgeWrite("WON_BY", uid, supplier)]
        if rec.bid:
            write.refs[key_uid("bid", rec.bid)] = "bid"
            write.edges.append(EdgeWrite("FROM_BID", uid, key_uid("bid", rec.bid)))
        return write

    def _contract(self, rec: r.Contract) -> GraphWrite:
        uid = key_uid("contract", rec.id)
        props = _clean(
            {
                "key": rec.id,
                "signed_on": rec.signed_on,
                "acceptance": rec.acceptance,
                "accepted_on": rec.accepted_on,
                **_money("amount", rec.amount),
            }
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Contract",), props))
        award = key_uid("award", rec.award)
        write.refs[award] = "award"
        write.edges.append(EdgeWrite("UNDER_AWARD", uid, award))
        return write

    def _review(self, rec: r.Review) -> GraphWrite:
        uid = key_uid("review", rec.id)
        expert, lot = self.person_uid_for(rec.expert), key_uid("lot", rec.lot)
        props = _clean({"uid": uid, "reviewed_on": rec.reviewed_on, "chair": rec.chair})
        write = GraphWrite(uid, None, edge_record=EdgeWrite("REVIEWED", expert, lot, props))
        write.refs = {expert: "expert", lot: "lot"}
        return write

    # -- credit records ------------------------------------------------------------------

    def _violation(self, rec: r.Violation) -> GraphWrite:
        uid = key_uid("violation", rec.id)
        props = _clean(
            {
                "key": rec.id,
                "category": rec.category,
                "severity": rec.severity,
                "decision_number": rec.decision_number,
                "authority": rec.authority,
                "basis": rec.basis,
                "penalty_types": sorted(rec.penalty_types),
                "penalty_content": rec.penalty_content,
                "decided_on": rec.decided_on,
                "ban_start": rec.ban_start,
                "ban_end": rec.ban_end,
                "publication_end": rec.publication_end,
                "status": rec.status,
                "status_date": rec.status_date,
                "suspended_on": rec.suspended_on,
                "suspension_lifted_on": rec.suspension_lifted_on,
                **_money("fine", rec.fine),
            }
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Record", "Violation"), props))
        subject = self.party_uid(rec.subject)
        write.refs[subject] = "subject"
        write.edges.append(EdgeWrite("AGAINST", uid, subject))
        for name, kind, value in (("project", "project", rec.project), ("lot", "lot", rec.lot)):
            if value:
                write.refs[key_uid(kind, value)] = name
                write.edges.append(EdgeWrite("IN_PROCUREMENT", uid, key_uid(kind, value)))
        return write

    def _listing(self, rec: r.ExternalListing) -> GraphWrite:
        uid = key_uid("listing", rec.id)
        props = _clean(
            {
                "key": rec.id,
                "list": rec.list,
                "subject_uscc": rec.subject,
                "subject_name": rec.subject_name,
                "authority": rec.authority,
                "reference": rec.reference,
                "listed_on": rec.listed_on,
                "valid_until": rec.valid_until,
                "retracted_on": rec.retracted_on,
            }
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Record", "ExternalListing"), props))
        if rec.subject is not None:
            write.refs[org_uid(rec.subject)] = "subject"
            write.edges.append(EdgeWrite("LISTS", uid, org_uid(rec.subject)))
        if rec.subject_person is not None:
            person = self.person_uid_for(rec.subject_person)
            write.refs[person] = "subject_person"
            write.edges.append(EdgeWrite("LISTS", uid, person))
        return write

    def _complaint(self, rec: r.Complaint) -> GraphWrite:
        uid = key_uid("complaint", rec.id)
        props = _clean(
            {
                "key": rec.id,
                "filed_on": rec.filed_on,
                "grounds": rec.grounds,
                "outcome": rec.outcome,
                "decided_on": rec.decided_on,
                "decision_number": rec.decision_number,
            }
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Record", "Complaint"), props))
        complainant, lot = org_uid(rec.complainant), key_uid("lot", rec.lot)
        write.refs |= {complainant: "complainant", lot: "lot"}
        write.edges += [EdgeWrite("FILED_BY", uid, complainant), EdgeWrite("ABOUT", uid, lot)]
        return write

    def _evaluation(self, rec: r.Evaluation) -> GraphWrite:
        uid = key_uid("evaluation", rec.id)
        props = _clean(
            {"key": rec.id, "score": rec.score, "rated_on": rec.rated_on, "comment": rec.comment}
        )
        write = GraphWrite(uid, NodeWrite(uid, ("Record", "Evaluation"), props))
        subject, rater = self.party_uid(rec.subject), org_uid(rec.rater)
        project = key_uid("project", rec.project)
        write.refs |= {subject: "subject", rater: "rater", project: "project"}
        write.edges += [
            EdgeWrite("RATES", uid, subject),
            EdgeWrite("RATED_BY", uid, rater),
            EdgeWrite("FOR_PROJECT", uid, project),
        ]
        return write
