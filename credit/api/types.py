"""GraphQL object types: thin views over stored nodes; related objects come from DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.domain import records as r
from credit.policy import Policy
from credit.security.audit import AuditLog
from credit.security.permissions import PermissionTable, Principal
from credit.store import GraphStore, StoredNode

# Registering the domain enums makes them GraphQL enums; they stay defined once.
strawberry.enum(r.OrgRole)
strawberry.enum(r.ProcurementMethod)
strawberry.enum(r.ProcurementCategory)
strawberry.enum(r.BidStatus)
strawberry.enum(r.ViolationCategory)
strawberry.enum(r.Severity)
strawberry.enum(r.PenaltyType)
strawberry.enum(r.RecordStatus)
strawberry.enum(r.ExternalList)

# Properties never shown through the generic `properties` field.
HIDDEN_PROPS = frozenset({"id_hash", "content_hash", "key"})


class Loaders:
    """Per-request DataLoaders, one per (relationship type, direction)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._loaders: dict[tuple[str, bool], DataLoader[str, list[StoredNode]]] = {}
        self.nodes: DataLoader[str, StoredNode | None] = DataLoader(load_fn=self._load_nodes)

    async def _load_nodes(self, uids: list[str]) -> list[StoredNode | None]:
        found = await asyncio.to_thread(self.store.nodes, uids)
        return [found.get(uid) for uid in uids]

    def related(self, rel_type: str, outgoing: bool) -> DataLoader[str, list[StoredNode]]:
        key = (rel_type, outgoing)
        if key not in self._loaders:

            async def load(uids: list[str]) -> list[list[StoredNode]]:
                grouped = await asyncio.to_thread(self.store.neighbours, uids, rel_type, outgoing)
                return [grouped.get(uid, []) for uid in uids]

            self._loaders[key] = DataLoader(load_fn=load)
        return self._loaders[key]


class Context(BaseContext):
    """Per-request state; strawberry's FastAPI integration adds the request to it."""

    def __init__(
        self,
        store: GraphStore,
        max_page_size: int,
        table: PermissionTable,
        principal: Principal | None,
        audit: AuditLog,
        policy: Policy,
    ) -> None:
        super().__init__()
        self.store = store
        self.loaders = Loaders(store)
        self.max_page_size = max_page_size
        self.table = table
        self.principal = principal
        self.audit = audit
        self.policy = policy

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "the access guard runs before any resolver"
        return self.principal

    def visible(self, props: dict[str, Any], kinds: tuple[str, ...]) -> dict[str, Any]:
        """Properties this caller may see (the permission table's redactions applied)."""
        return plain_props(self.table.redacted(props, kinds, self.caller))


def ctx(info: Info) -> Context:
    context: Context = info.context
    return context


T = TypeVar("T")


async def _related(
    info: Info, uid: str, rel_type: str, outgoing: bool, make: Callable[[StoredNode], T]
) -> list[T]:
    nodes = await ctx(info).loaders.related(rel_type, outgoing).load(uid)
    return [make(n) for n in nodes]


async def _one(
    info: Info, uid: str, rel_type: str, outgoing: bool, make: Callable[[StoredNode], T]
) -> T | None:
    found = await _related(info, uid, rel_type, outgoing, make)
    return found[0] if found else None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def plain_props(props: dict[str, Any]) -> dict[str, Any]:
    """Stored properties as JSON values, without internal or secret ones."""
    return {k: _plain(v) for k, v in props.items() if k not in HIDDEN_PROPS}


@strawberry.type
class Money:
    amount: str
    currency: str


def money(props: dict[str, Any], prefix: str) -> Money | None:
    exact = props.get(f"{prefix}_exact")
    if exact is None:
        return None
    return Money(amount=str(exact), currency=str(props.get(f"{prefix}_currency", "CNY")))


@strawberry.type
class Provenance:
    source: str
    external_id: str | None
    version: int
    received_at: datetime | None


def provenance(props: dict[str, Any]) -> Provenance:
    return Provenance(
        source=str(props.get("source", "local")),
        external_id=props.get("external_id"),
        version=int(props.get("version", 1)),
        received_at=props.get("received_at"),
    )


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class EntityNode(Node):
    """Any node of the graph, for search results and neighbourhoods."""

    kind: str
    labels: list[str]
    name: str | None
    properties: JSON

    @staticmethod
    def of(node: StoredNode, context: Context) -> EntityNode:
        props = context.visible(node.props, node.labels)
        # A record is named by its own id; a person's key is a hash and never shown.
        key = None if node.kind == "person" else node.props.get("key")
        name = props.get("name") or props.get("value") or key or props.get("id_masked")
        return EntityNode(
            id=strawberry.ID(node.uid),
            kind=node.kind,
            labels=list(node.labels),
            name=None if name is None else str(name),
            properties=JSON(props),
        )


@strawberry.type
class Person(Node):
    name: str
    masked_id_number: str
    is_expert: bool
    specialties: list[str]
    provenance: Provenance

    @staticmethod
    def of(node: StoredNode) -> Person:
        p = node.props
        return Person(
            id=strawberry.ID(node.uid),
            name=p["name"],
            masked_id_number=p["id_masked"],
            is_expert="Expert" in node.labels,
            specialties=list(p.get("specialties") or []),
            provenance=provenance(p),
        )


@strawberry.type
class Organization(Node):
    uscc: str
    name: str
    roles: list[r.OrgRole]
    region: str | None
    registered_on: date | None
    address: str | None
    provenance: Provenance

    @staticmethod
    def of(node: StoredNode) -> Organization:
        p = node.props
        return Organization(
            id=strawberry.ID(node.uid),
            uscc=p["uscc"],
            name=p["name"],
            roles=[r.OrgRole(x) for x in p.get("roles", [])],
            region=p.get("region"),
            registered_on=p.get("registered_on"),
            address=p.get("address"),
            provenance=provenance(p),
        )

    @strawberry.field(description="Violations recorded against this organisation, any status.")
    async def violations(self, info: Info) -> list[Violation]:
        return await _related(info, self.id, "AGAINST", False, Violation.of)

    @strawberry.field(description="External list entries (courts, tax, other regions).")
    async def listings(self, info: Info) -> list[ExternalListing]:
        return await _related(info, self.id, "LISTS", False, ExternalListing.of)

    @strawberry.field
    async def bids(self, info: Info) -> list[Bid]:
        return await _related(info, self.id, "SUBMITTED", True, Bid.of)


Party = Annotated[Organization | Person, strawberry.union("Party")]


def party(node: StoredNode) -> Organization | Person:
    return Organization.of(node) if node.kind == "org" else Person.of(node)


@strawberry.type
class Project(Node):
    project_id: str
    name: str
    ocid: str | None
    method: r.ProcurementMethod
    category: r.ProcurementCategory | None
    budget: Money | None
    published_on: date
    provenance: Provenance

    @staticmethod
    def of(node: StoredNode) -> Project:
        p = node.props
        return Project(
            id=strawberry.ID(node.uid),
            project_id=p["key"],
            name=p["name"],
            ocid=p.get("ocid"),
            method=r.ProcurementMethod(p["method"]),
            category=r.ProcurementCategory(p["category"]) if p.get("category") else None,
            budget=money(p, "budget"),
            published_on=p["published_on"],
            provenance=provenance(p),
        )

    @strawberry.field
    async def purchaser(self, info: Info) -> Organization | None:
        return await _one(info, self.id, "PURCHASED_BY", True, Organization.of)

    @strawberry.field
    async def agency(self, info: Info) -> Organization | None:
        return await _one(info, self.id, "RUN_BY", True, Organization.of)

    @strawberry.field
    async def lots(self, info: Info) -> list[Lot]:
        return await _related(info, self.id, "HAS_LOT", True, Lot.of)


@strawberry.type
class Lot(Node):
    lot_id: str
    name: str
    budget: Money | None
    bid_deadline: datetime | None
    provenance: Provenance

    @staticmethod
    def of(node: StoredNode) -> Lot:
        p = node.props
        return Lot(
            id=strawberry.ID(node.uid),
            lot_id=p["key"],
            name=p["name"],
            budget=money(p, "budget"),
            bid_deadline=p.get("bid_deadline"),
            provenance=provenance(p),
        )

    @strawberry.field
    async def project(self, info: Info) -> Project | None:
        return await _one(info, self.id, "HAS_LOT", False, Project.of)

    @strawberry.field
    async def bids(self, info: Info) -> list[Bid]:
        return await _related(info, self.id, "FOR_LOT", False, Bid.of)


@strawberry.type
class Bid(Node):
    bid_id: str
    price: Money
    submitted_at: datetime
    status: r.BidStatus
    consortium: bool
    provenance: Provenance

    @staticmethod
    def of(node: StoredNode) -> Bid:
        p = node.props
        price = money(p, "price")
        assert price is not None
        return Bid(
            id=strawberry.ID(node.uid),
            bid_id=p["key"],
            price=price,
            submitted_at=p["submitted_at"],
            status=r.BidStatus(p["status"]),
            consortium=bool(p.get("consortium")),
            provenance=provenance(p),
        )

    @strawberry.field
    async def supplier(self, info: Info) -> Organization | None:
        return await _one(info, self.id, "SUBMITTED", False, Organization.of)

    @strawberry.field
    async def lot(self, info: Info) -> Lot | None:
        return await _one(info, self.id, "FOR_LOT", True, Lot.of)


@strawberry.type
class Violation(Node):
    violation_id: str
    category: r.ViolationCategory
    severity: r.Severity
    decision_number: str
    authority: str
    basis: str
    penalty_types: list[r.PenaltyType]
    penalty_content: str | None
    fine: Money | None
    decided_on: date
    ban_start: date | None
    ban_end: date | None
    publication_end: date | None
    status: r.RecordStatus
    status_date: date | None
    provenance: Provenance

    @staticmethod
    def of(node: StoredNode) -> Violation:
        p = node.props
        return Violation(
            id=strawberry.ID(node.uid),
            violation_id=p["key"],
            category=r.ViolationCategory(p["category"]),
            severity=r.Severity(p["severity"]),
            decision_number=p["decision_number"],
            authority=p["authority"],
            basis=p["basis"],
            penalty_types=[r.PenaltyType(x) for x in p.get("penalty_types", [])],
            penalty_content=p.get("penalty_content"),
            fine=money(p, "fine"),
            decided_on=p["decided_on"],
            ban_start=p.get("ban_start"),
            ban_end=p.get("ban_end"),
            publication_end=p.get("publication_end"),
            status=r.RecordStatus(p["status"]),
            status_date=p.get("status_date"),
            provenance=provenance(p),
        )

    @strawberry.field
    async def subject(self, info: Info) -> Party | None:
        return await _one(info, self.id, "AGAINST", True, party)


@strawberry.type
class ExternalListing(Node):
    listing_id: str
    list: r.ExternalList
    authority: str
    reference: str | None
    listed_on: date
    valid_until: date | None
    retracted_on: date | None
    provenance: Provenance

    @staticmethod
    def of(node: StoredNode) -> ExternalListing:
        p = node.props
        return ExternalListing(
            id=strawberry.ID(node.uid),
            listing_id=p["key"],
            list=r.ExternalList(p["list"]),
            authority=p["authority"],
            reference=p.get("reference"),
            listed_on=p["listed_on"],
            valid_until=p.get("valid_until"),
            retracted_on=p.get("retracted_on"),
            provenance=provenance(p),
        )


@strawberry.type
class GraphEdge:
    id: strawberry.ID
    type: str
    source: strawberry.ID
    target: strawberry.ID
    properties: JSON


@strawberry.type
class Subgraph:
    nodes: list[EntityNode]
    edges: list[GraphEdge]
    truncated: bool


@strawberry.type
class SearchHit:
    score: float
    node: EntityNode


@strawberry.type
class RecordError:
    index: int
    field: str
    rule: str
    message: str


@strawberry.type
class IngestResult:
    received: int
    changed: int
    unchanged: int
    rejected: int
    errors: list[RecordError]
    ids: list[strawberry.ID | None]
    conflicts: list[RecordError] = strawberry.field(
        default_factory=list,
        description="Values another source had already set (source.conflict): the record "
        "landed without them; they are kept for a supervisor (conflictingValues).",
    )
