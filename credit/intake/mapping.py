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

from credit.domain import ids, model
from credit.domain import records as r
from credit.domain.identifiers import hash_identity_number, key_scheme, mask_identity_number

Props = dict[str, Any]
_MONEY = frozenset({"budget", "price", "amount", "fine"})  # stored as _amount, _exact, _currency


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
    return ids.uid("org", uscc)


def person_uid(id_hash: str) -> str:
    return ids.uid("person", id_hash)


def key_uid(kind: str, key: str) -> str:
    return ids.uid(kind, key)


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


def _named(record: Any, *names: str) -> Props:
    """The record's fields of these names, as properties of the same names."""
    return {name: getattr(record, name) for name in names}


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


def _sections(write: GraphWrite, sections: list[r.DocumentSection]) -> None:
    """Each section fingerprint is a shared hub (`section:<hash>`), so the same material in
    two bids, or in a bid and the tender documents, shows as one node; the edge keeps where it
    is in this document. A fingerprint listed twice counts once, at its first place."""
    seen: set[str] = set()
    for section in sections:
        if section.hash in seen:
            continue
        seen.add(section.hash)
        hub = f"section:{section.hash}"
        write.hubs.append(NodeWrite(hub, ("Identifier", "Section"), {"value": section.hash}))
        props = {
            "kind": section.kind.value,
            "title": section.title,
            "page": section.page,
            "size": section.size,
        }
        write.edges.append(EdgeWrite("HAS_SECTION", write.uid, hub, _clean(props)))


class Mapper:
    """Maps records to graph writes; holds the deployment secret that salts identity hashes."""

    def __init__(self, secret: str) -> None:
        # bids and reviews name the same people again and again; the keyed hash is the cost
        self._hash = lru_cache(maxsize=200_000)(partial(hash_identity_number, secret=secret))
        self._by_type: dict[type[Any], Callable[[Any], GraphWrite]] = {
            r.Organization: self._organization,
            r.Person: self._person,
            r.Group: self._described,
            r.Tie: self._tie,
            r.Project: self._described,
            r.Lot: self._described,
            r.Bid: self._bid,
            r.Award: self._described,
            r.Contract: self._described,
            r.Review: self._review,
            r.Violation: self._described,
            r.ExternalListing: self._listing,
            r.Complaint: self._described,
            r.Evaluation: self._described,
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

    def _target(self, target: model.Target, value: Any) -> str:
        if target == "org":
            return org_uid(value)
        if target == "party":
            return self.party_uid(value)
        if target == "identity":
            return self.person_uid_for(value)
        return key_uid(target, value)

    def _linked(self, write: GraphWrite, record: Any, kind: model.Kind) -> GraphWrite:
        """The relationships of the record's reference fields, as its description gives them
        (names, directions, one or many); the refs say which field named each other end."""
        for link in kind.links:
            if link.target == "section":
                _sections(write, getattr(record, link.field))
                continue
            if link.target == "hub" or "." in link.field:
                continue  # identifier hubs and nested fields are mapped by the kind itself
            value = getattr(record, link.field)
            for i, one in enumerate(value if link.many else [value]):
                if not one:
                    continue
                other = self._target(link.target, one)
                write.refs[other] = f"{link.field}.{i}" if link.many else link.field
                ends = (write.uid, other) if link.outgoing else (other, write.uid)
                write.edges.append(EdgeWrite(link.type, *ends))
        return write

    def _described(self, record: Any) -> GraphWrite:
        """A record whose properties are its fields of the same names (money expanded, lists
        sorted) and whose relationships are its links: the description is the whole mapping."""
        kind = model.BY_TYPE[record.type]
        uid = key_uid(kind.prefix, record.id)
        props: Props = {"key": record.id}
        for name in kind.properties[1:]:  # the first is the key
            value = getattr(record, name)
            if isinstance(value, r.Money) or (value is None and name in _MONEY):
                props |= _money(name, value)
            else:
                props[name] = sorted(value) if isinstance(value, list) else value
        return self._linked(
            GraphWrite(uid, NodeWrite(uid, kind.labels, _clean(props))), record, kind
        )

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

    def _tie(self, rec: r.Tie) -> GraphWrite:
        start, end = self.party_uid(rec.source_party), self.party_uid(rec.target)
        key = f"{rec.kind}|{start}|{end}|{rec.valid_from or ''}"
        uid = "tie:" + hashlib.sha256(key.encode()).hexdigest()[:24]
        props = _clean(
            {"uid": uid} | _named(rec, "share", "kinship", "service", "valid_from", "valid_to")
        )
        write = GraphWrite(uid, None, edge_record=EdgeWrite(rec.kind.value, start, end, props))
        write.refs = {start: "from", end: "to"}
        return write

    # -- procurement ---------------------------------------------------------------------

    def _bid(self, rec: r.Bid) -> GraphWrite:
        uid = key_uid("bid", rec.id)
        named = _named(
            rec,
            "submitted_at",
            "status",
            "file_fingerprint",
            "contact_name",
            "deposit_holder_name",
        )
        props = _clean(
            {"key": rec.id, **named, "consortium": bool(rec.consortium_members)}
            | _money("price", rec.price)
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
        _sections(write, rec.sections)
        return write

    def _review(self, rec: r.Review) -> GraphWrite:
        uid = key_uid("review", rec.id)
        expert, lot = self.person_uid_for(rec.expert), key_uid("lot", rec.lot)
        props = _clean({"uid": uid, "reviewed_on": rec.reviewed_on, "chair": rec.chair})
        write = GraphWrite(uid, None, edge_record=EdgeWrite("REVIEWED", expert, lot, props))
        write.refs = {expert: "expert", lot: "lot"}
        return write

    # -- credit records ------------------------------------------------------------------

    def _listing(self, rec: r.ExternalListing) -> GraphWrite:
        uid = key_uid("listing", rec.id)
        kind = model.BY_TYPE[rec.type]
        props: Props = {"key": rec.id, "subject_uscc": rec.subject}  # named apart from fields
        props = _clean(props | _named(rec, *(p for p in kind.properties if p not in props)))
        return self._linked(GraphWrite(uid, NodeWrite(uid, kind.labels, props)), rec, kind)
