"""GraphQL object types: thin views over stored nodes; related objects come from DataLoaders."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import cached_property
from typing import Annotated, Any, ClassVar, Self, TypeVar

import strawberry
from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    default_field_resolver,
    get_named_type,
)
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api.mirror import Differences, differing, mirror
from credit.checks.signing import Signer, load_signer
from credit.core.settings import Settings
from credit.core.store import GraphStore, StoredNode
from credit.detection.registry import DetectionSettings, default_settings
from credit.domain import ids, model
from credit.domain import records as r
from credit.domain.identifiers import USCC_SCHEME
from credit.intake.mapping import Mapper
from credit.intake.pipeline import Intake
from credit.oversight.config import load_plan_rules
from credit.oversight.inspections import PlanRules
from credit.policy import Policy
from credit.security import visibility as vis
from credit.security.audit import AuditLog
from credit.security.permissions import FieldRule, Mask, PermissionTable, Principal
from credit.security.rows import Rows
from credit.sync import destinations
from credit.sync.webhooks import policy_from_settings

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
    """Per-request state; strawberry's FastAPI integration adds the request to it. It carries
    what resolvers need besides their arguments (the store, the caller's rows, settings,
    policy, detector settings, inspection-plan rules, the check signer), never globals."""

    def __init__(
        self,
        store: GraphStore,
        max_page_size: int,
        table: PermissionTable,
        principal: Principal | None,
        audit: AuditLog,
        policy: Policy,
        settings: Settings,
        *,
        signer: Signer | None = None,
        plan_rules: PlanRules | None = None,
        detectors: DetectionSettings | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.loaders = Loaders(store)
        self.max_page_size = max_page_size
        self.table = table
        self.principal = principal
        self.rows = Rows(table, principal)
        self.audit = audit
        self.policy = policy
        self._signer, self._plan_rules, self._detectors = signer, plan_rules, detectors
        self.units: dict[str, asyncio.Future[vis.Units | None]] = {}

    @cached_property
    def mapper(self) -> Mapper:
        return Mapper(self.settings.effective_secret())

    @cached_property
    def intake(self) -> Intake:
        return Intake(self.store, self.mapper, self.settings.ingest_batch_size)

    @cached_property
    def signer(self) -> Signer:
        return self._signer or load_signer(self.settings)

    @cached_property
    def plan_rules(self) -> PlanRules:
        return self._plan_rules or load_plan_rules()

    @cached_property
    def detectors(self) -> DetectionSettings:
        return self._detectors or default_settings()

    @cached_property
    def webhook_policy(self) -> destinations.Policy:
        return policy_from_settings(self.settings)

    @property
    def caller(self) -> Principal:
        assert self.principal is not None, "the access guard runs before any resolver"
        return self.principal

    def visible(self, props: dict[str, Any], kinds: tuple[str, ...]) -> dict[str, Any]:
        """Stored properties as JSON; the [redact] rules apply where the field is resolved
        (EntityNode.properties, GraphEdge.properties: see apply_visibility)."""
        return plain_props(props)

    async def units_of(self, uid: str) -> vis.Units | None:
        """The procurement unit a lot, project, bid, award or contract belongs to (None if it
        is not found), read once per request through the DataLoaders."""
        if uid not in self.units:
            self.units[uid] = asyncio.ensure_future(self._units_of(uid))
        return await self.units[uid]

    async def _units_of(self, uid: str) -> vis.Units | None:
        while (step := vis.UNIT_PATH.get(vis.kind_of(uid))) is not None:
            parents = await self.loaders.related(step[0], step[1]).load(uid)
            if not parents:
                return None
            uid = parents[0].uid
        if vis.kind_of(uid) != vis.PROJECT:
            return None
        purchaser, agency = await asyncio.gather(
            self.loaders.related("PURCHASED_BY", True).load(uid),
            self.loaders.related("RUN_BY", True).load(uid),
        )
        return vis.Units(purchaser[0].uid if purchaser else None, agency[0].uid if agency else None)

    async def sees(self, uid: str) -> bool:
        """Whether this caller sees a node: nodes of no unit always, a unit's by the rows rule."""
        if not vis.unit_bound(uid) or self.rows.sees_all:
            return True
        return self.rows.sees_units(await self.units_of(uid))


def ctx(info: Info) -> Context:
    context: Context = info.context
    return context


T = TypeVar("T")


async def _related(
    info: Info, uid: str, rel_type: str, outgoing: bool, make: Callable[[StoredNode], T]
) -> list[T]:
    nodes = await ctx(info).loaders.related(rel_type, outgoing).load(uid)
    return [make(n) for n in nodes]


C = TypeVar("C")


def linked(*names: str) -> Callable[[type[C]], type[C]]:
    """The type's relationship fields, in this order, as the record description gives them
    (credit/domain/model.py: the relationship type, its direction, one or many)."""

    def add(cls: type[C]) -> type[C]:
        found = model.traversals(cls.__name__)
        for name in names:
            step = found[name]
            setattr(cls, name, strawberry.field(resolver=_follow(step), description=step.doc))
        return cls

    return add


def _follow(step: model.Traversal) -> Callable[..., Awaitable[Any]]:
    async def resolve(self: Node, info: Info) -> Any:
        make = party if step.returns == "Party" else globals()[step.returns].of
        found = await _related(info, self.id, step.type, step.outgoing, make)
        return found if step.many else (found[0] if found else None)

    shown = f"list[{step.returns}]" if step.many else f"{step.returns} | None"
    resolve.__annotations__ = {**resolve.__annotations__, "return": shown}
    return resolve


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
    return mirror(
        Provenance,
        props,
        source=str(props.get("source", "local")),
        version=int(props.get("version", 1)),
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


class StoredView:
    """A type that shows a stored node: its fields are the node's properties of the same
    name (see credit/api/mirror.py), its id the node's uid; `differences` names the property
    a field is read from, or makes it from the node."""

    differences: ClassVar[Differences] = {}

    @classmethod
    def of(cls, node: StoredNode) -> Self:
        p = node.props
        common = {"id": strawberry.ID(node.uid), "provenance": provenance(p)}
        return mirror(cls, p, **common, **differing(cls.differences, p, node))


@strawberry.type
class Person(Node, StoredView):
    name: str
    masked_id_number: str
    is_expert: bool
    specialties: list[str]
    provenance: Provenance

    differences: ClassVar[Differences] = {
        "masked_id_number": "id_masked",
        "is_expert": lambda n: "Expert" in n.labels,
        "specialties": lambda n: list(n.props.get("specialties") or []),
    }


@strawberry.type
@linked("violations", "listings", "bids")
class Organization(Node, StoredView):
    uscc: str | None = strawberry.field(
        description="The USCC; none for an organisation identified in another scheme."
    )
    scheme: str = strawberry.field(
        description="The org-id.guide scheme of its key: CN-USCC, or UA-EDR, GB-COH ... for "
        "open data from other countries (the key is then the id after org:)."
    )
    name: str
    roles: list[r.OrgRole]
    region: str | None
    registered_on: date | None
    address: str | None
    provenance: Provenance

    differences: ClassVar[Differences] = {
        "scheme": lambda n: n.props.get("scheme") or USCC_SCHEME,
        "roles": lambda n: [r.OrgRole(x) for x in n.props.get("roles", [])],
    }


Party = Annotated[Organization | Person, strawberry.union("Party")]


def party(node: StoredNode) -> Organization | Person:
    return Organization.of(node) if node.kind == "org" else Person.of(node)


def _category(value: str | None) -> r.ProcurementCategory | None:
    return r.ProcurementCategory(value) if value else None


@strawberry.type
@linked("purchaser", "agency", "lots")
class Project(Node, StoredView):
    project_id: str
    name: str
    ocid: str | None
    method: r.ProcurementMethod
    category: r.ProcurementCategory | None
    budget: Money | None
    published_on: date
    provenance: Provenance

    differences: ClassVar[Differences] = {
        "project_id": "key",
        "method": lambda n: r.ProcurementMethod(n.props["method"]),
        "category": lambda n: _category(n.props.get("category")),
        "budget": lambda n: money(n.props, "budget"),
    }


@strawberry.type
@linked("project", "bids")
class Lot(Node, StoredView):
    lot_id: str
    name: str
    budget: Money | None
    bid_deadline: datetime | None
    provenance: Provenance

    differences: ClassVar[Differences] = {
        "lot_id": "key",
        "budget": lambda n: money(n.props, "budget"),
    }


@strawberry.type
@linked("supplier", "lot")
class Bid(Node, StoredView):
    bid_id: str
    price: Money
    submitted_at: datetime
    status: r.BidStatus
    consortium: bool
    provenance: Provenance

    differences: ClassVar[Differences] = {
        "bid_id": "key",
        "price": lambda n: money(n.props, "price"),
        "status": lambda n: r.BidStatus(n.props["status"]),
        "consortium": lambda n: bool(n.props.get("consortium")),
    }


@strawberry.type
@linked("subject")
class Violation(Node, StoredView):
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

    differences: ClassVar[Differences] = {
        "violation_id": "key",
        "category": lambda n: r.ViolationCategory(n.props["category"]),
        "severity": lambda n: r.Severity(n.props["severity"]),
        "penalty_types": lambda n: [r.PenaltyType(x) for x in n.props.get("penalty_types", ())],
        "fine": lambda n: money(n.props, "fine"),
        "status": lambda n: r.RecordStatus(n.props["status"]),
    }


@strawberry.type
class ExternalListing(Node, StoredView):
    listing_id: str
    list: r.ExternalList
    authority: str
    reference: str | None
    listed_on: date
    valid_until: date | None
    retracted_on: date | None
    provenance: Provenance

    differences: ClassVar[Differences] = {
        "listing_id": "key",
        "list": lambda n: r.ExternalList(n.props["list"]),
    }


@strawberry.type
class GraphEdge:
    id: strawberry.ID
    type: str
    source: strawberry.ID
    target: strawberry.ID
    properties: JSON


def graph_edge(
    c: Context, id: str, type: str, start: str, end: str, props: dict[str, Any]
) -> GraphEdge:
    """A relationship as shown: its stored properties as JSON (masked where resolved)."""
    return GraphEdge(
        id=strawberry.ID(id),
        type=type,
        source=strawberry.ID(start),
        target=strawberry.ID(end),
        properties=JSON(c.visible(props, (type,))),
    )


@strawberry.type
class Subgraph:
    nodes: list[EntityNode]
    edges: list[GraphEdge]
    truncated: bool


@strawberry.type
class SearchHit:
    score: float
    node: EntityNode

    @strawberry.field(
        description="The lot itself when the hit is a lot: its project, purchaser and bid "
        "deadline tell lots of the same name apart."
    )
    async def lot(self, info: Info) -> Lot | None:
        if self.node.kind != "lot":
            return None
        found = await ctx(info).loaders.nodes.load(str(self.node.id))
        return Lot.of(found) if found else None

    @strawberry.field(description="The project itself when the hit is a project (its lots).")
    async def project(self, info: Info) -> Project | None:
        if self.node.kind != "project":
            return None
        found = await ctx(info).loaders.nodes.load(str(self.node.id))
        return Project.of(found) if found else None


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


# --- visibility, applied to every resolver at once ---------------------------------------------

Resolver = Callable[..., Any]


def _inner(obj: Any) -> tuple[Any, Any]:
    """A row and what holds it: a search hit or a connection edge holds it under `node`."""
    holder = None
    while hasattr(obj, "node") and not isinstance(obj, EntityNode):
        holder, obj = obj, obj.node
    return holder, obj


async def _row(c: Context, obj: Any) -> Any:
    """The row as this caller sees it: whole, in part (a flag over several units' lots, which
    offers `visible_part`), or None. An edge shows when both its ends do."""
    if obj is None:
        return None
    holder, row = _inner(obj)
    part = getattr(row, "visible_part", None)
    if part is not None:
        lots = list(row.unit_uids())
        seen = await asyncio.gather(*(c.sees(u) for u in lots))
        shown = part(frozenset(u for u, ok in zip(lots, seen, strict=True) if ok))
        if shown is None or holder is None:
            return shown
        holder.node = shown
        return obj
    uids = [str(row.source), str(row.target)] if isinstance(row, GraphEdge) else [str(row.id)]
    seen = await asyncio.gather(*(c.sees(u) for u in uids))
    return obj if all(seen) else None


async def _rows(c: Context, value: Any) -> Any:
    if isinstance(value, list):
        shown = await asyncio.gather(*(_rows(c, v) for v in value))
        return [v for v in shown if v is not None]
    return await _row(c, value)


def _is_person(root: Any) -> bool:
    """Whether a name field's object is a person's (an organisation's name is public)."""
    if isinstance(root, EntityNode):
        return root.kind == "person"
    subject = getattr(root, "subject_id", None)
    if isinstance(subject, str):
        return subject.startswith(vis.PERSON_PREFIX)
    if isinstance(root, Organization):
        return False  # also one without a USCC (identified in another scheme)
    if hasattr(root, "uscc"):
        return root.uscc is None
    return True


async def _masked(c: Context, rule: FieldRule, root: Any, name: str, value: Any) -> Any:
    p = c.principal
    match rule.mask:
        case Mask.OMIT:
            return vis.omitted(value)
        case Mask.NAME:
            return vis.masked_name(value) if _is_person(root) else value
        case Mask.PERSON_IDS:
            return vis.mask_person_ids(value, p, _pseudonym_key(c))
        case Mask.REDACT:
            kinds = root.labels if isinstance(root, EntityNode) else [root.type]
            shown = vis.redacted(c.table, value or {}, kinds, p)
            return vis.mask_person_ids(shown, p, _pseudonym_key(c))
        case Mask.UNIT_IDS:
            if isinstance(value, list):
                seen = await asyncio.gather(*(c.sees(str(v)) for v in value))
                return [v for v, ok in zip(value, seen, strict=True) if ok]
            return value if value is None or await c.sees(str(value)) else None
        case Mask.FLAG_TEXT:
            return root.concealed_value(name, value)
    raise AssertionError(f"mask {rule.mask} is applied before execution")


def _pseudonym_key(c: Context) -> bytes:
    return vis.pseudonym_key(c.settings.effective_secret())


def _refused(field: str, message: str) -> GraphQLError:
    return GraphQLError(
        f"{field}: unit.not_yours: {message}", extensions={"code": "FORBIDDEN", "field": field}
    )


async def _lot_arguments(c: Context, args: dict[str, Any], names: frozenset[str]) -> None:
    """A root field naming a lot of another unit is refused before it runs (an unknown lot
    is left to the resolver's own not-found answer)."""
    for name in sorted(names & set(args)):
        raw = args[name]
        if raw is None:
            continue
        uid = ids.uid("lot", str(raw))
        units = await c.units_of(uid)
        if units is not None and not c.rows.sees_units(units):
            raise _refused(name, "purchasers and agencies use the lots of their own unit only")


def _wrap(
    resolve: Resolver,
    key: str,
    rule: FieldRule | None,
    rows: bool,
    lot_args: frozenset[str],
) -> Resolver:
    field_name = key.split(".", 1)[1]

    async def after(root: Any, info: Info, args: dict[str, Any]) -> Any:
        c = ctx(info)
        if rule is None and c.rows.sees_all:
            result = resolve(root, info, **args)
            return await result if inspect.isawaitable(result) else result
        if lot_args:
            await _lot_arguments(c, args, lot_args)
        value = resolve(root, info, **args)
        if inspect.isawaitable(value):
            value = await value
        if rows and not c.rows.sees_all:
            value = await _rows(c, value)
        if rule is not None and c.rows.rule_for(key) is not None:
            value = await _masked(c, rule, root, field_name, value)
        return value

    def wrapped(root: Any, info: Info, **args: Any) -> Awaitable[Any]:
        return after(root, info, args)

    return wrapped


def _non_null_single(t: GraphQLType) -> bool:
    return isinstance(t, GraphQLNonNull) and not isinstance(t.of_type, GraphQLList)


def apply_visibility(schema: GraphQLSchema, table: PermissionTable) -> None:
    """Route every resolver whose field the table classifies (field masks, unit rows, lot
    arguments) through the visibility rules: the one place they are applied."""
    roots = {t.name for t in (schema.query_type, schema.mutation_type) if t is not None}
    keys = set()
    for type_name, gtype in schema.type_map.items():
        if not isinstance(gtype, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for name, gfield in gtype.fields.items():
            key = f"{type_name}.{name}"
            keys.add(key)
            rule = table.fields.get(key)
            if rule is not None and rule.mask is Mask.REFUSE:
                rule = None  # refused as a whole before execution (permissions.check)
            named = get_named_type(gfield.type)
            rows = named.name in table.rows.types or (
                isinstance(named, GraphQLObjectType) and _is_row_container(named, table)
            )
            if rows and _non_null_single(gfield.type):
                # a row that cannot become null here: the list holding its container filters it
                # (search hits, connection edges), or only see-all roles reach it
                rows = False
            lot_args = (
                frozenset(table.rows.arguments & set(gfield.args))
                if type_name in roots
                else frozenset()
            )
            if rule is None and not rows and not lot_args:
                continue
            resolve = gfield.resolve or default_field_resolver
            gfield.resolve = _wrap(resolve, key, rule, rows, lot_args)
    unknown = sorted(set(table.fields) - keys)
    assert not unknown, f"permissions.toml [fields] names no field of the schema: {unknown}"


def _is_row_container(gtype: GraphQLObjectType, table: PermissionTable) -> bool:
    """Search hits and connection edges hold a row under `node`; lists of them are filtered."""
    inner = gtype.fields.get("node")
    if inner is None:
        return False
    named = get_named_type(inner.type)
    return named.name in table.rows.types or (
        isinstance(named, GraphQLObjectType) and _is_row_container(named, table)
    )
