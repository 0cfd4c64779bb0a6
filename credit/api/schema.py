"""The GraphQL schema: queries and mutations stay thin and call plain functions."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api import args
from credit.api.credit import CreditQuery
from credit.api.detection import DetectionMutation, DetectionQuery
from credit.api.errors import bad_input, rejected_record
from credit.api.guard import AccessGuard, PlanCache
from credit.api.mirror import mirror
from credit.api.oversight import OversightMutation, OversightQuery
from credit.api.ownership import OwnershipMutation, OwnershipQuery
from credit.api.pagination import (
    Connection,
    connection,
    decode_cursor,
    decode_position,
    page_size,
)
from credit.api.sync import MatchMutation, MatchQuery, SyncMutation, SyncQuery, WebhookQuery
from credit.api.types import (
    Bid,
    EntityNode,
    ExternalListing,
    IngestResult,
    Lot,
    Organization,
    Person,
    Project,
    RecordError,
    SearchHit,
    StoredView,
    Subgraph,
    Violation,
    apply_visibility,
    ctx,
    graph_edge,
)
from credit.api.units import UnitQuery
from credit.core.settings import Environment, Settings
from credit.core.store import StoredNode
from credit.domain import ids
from credit.domain import records as r
from credit.explore import service as explore
from credit.intake.pipeline import IntakeError, IntakeReport
from credit.intake.service import ingest
from credit.observability.graphql import Observe
from credit.security.audit import AuditLog, verify_chain
from credit.security.audit import search as audit_search
from credit.security.permissions import PermissionTable, load_table
from credit.sync import external

MAX_RECORDS_PER_CALL = 1000
V = TypeVar("V", bound=StoredView)
_SEARCH_LABELS = {"org": "Organization", "person": "Person", "project": "Project", "lot": "Lot"}


async def _node(info: Info, uid: str) -> StoredNode | None:
    return await ctx(info).loaders.nodes.load(uid)


async def _stored(info: Info, cls: type[V], kind: str, id: strawberry.ID) -> V | None:
    """A record by its id (`kind:key` or the bare key), as the type that shows it."""
    uid = ids.uid(kind, str(id))
    node = await _node(info, uid)
    return cls.of(node) if node else None


def _by_id(cls: type[StoredView], kind: str) -> Any:
    """A root field that reads one record of `kind` by its id, as `cls` shows it."""

    async def resolve(info: Info, id: strawberry.ID) -> Any:
        return await _stored(info, cls, kind, id)

    resolve.__annotations__ = {**resolve.__annotations__, "return": f"{cls.__name__} | None"}
    return strawberry.field(resolver=resolve)


async def _written(info: Info, uid: str) -> StoredNode:
    node = await _node(info, uid)
    assert node is not None, "a record the intake just wrote is readable"
    return node


async def _ingest(info: Info, records: list[Any], source: str | None = None) -> IntakeReport:
    items = enumerate(records, start=1)
    done = await asyncio.to_thread(ingest, ctx(info).intake, items, allowed_source=source)
    return done.report


async def _ingest_one(info: Info, record: dict[str, Any]) -> str:
    report = await _ingest(info, [record])
    if report.errors:
        raise rejected_record(report.errors)
    return report.accepted_uids[1]


@strawberry.enum
class SearchKind(Enum):
    ORGANIZATION = "org"
    PERSON = "person"
    PROJECT = "project"
    LOT = "lot"


@strawberry.type
class Me:
    subject: str
    name: str
    roles: list[str]
    organization: str | None
    source: str | None


@strawberry.type
class AuditEventView:
    seq: int
    id: strawberry.ID
    at: datetime
    actor: str
    actor_name: str
    roles: list[str]
    credential: str
    operation: str
    targets: list[strawberry.ID]
    outcome: str
    result_hash: str
    hash: str


@strawberry.type
class AuditChain:
    events: int
    intact: bool
    first_broken_seq: int | None
    problem: str | None


@strawberry.input
class AuditFilter:
    target_id: strawberry.ID | None = None
    actor: str | None = None
    operation: str | None = strawberry.field(default=None, description="e.g. Query.organization")
    since: datetime | None = None


@strawberry.type
class Query(
    CreditQuery,
    SyncQuery,
    WebhookQuery,
    MatchQuery,
    DetectionQuery,
    OversightQuery,
    OwnershipQuery,
    UnitQuery,
):
    @strawberry.field(description="Who the caller is, as the API sees it.")
    def me(self, info: Info) -> Me:
        p = ctx(info).caller
        return mirror(Me, p, roles=sorted(p.roles))

    @strawberry.field(description="The audit trail, newest first: who looked at or changed what.")
    async def audit_events(
        self,
        info: Info,
        filter: AuditFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[AuditEventView]:
        c = ctx(info)
        size = page_size(first, c.max_page_size)
        before = decode_position(after, "audit")
        f = filter or AuditFilter()
        await asyncio.to_thread(c.audit.flush)
        events = await asyncio.to_thread(
            audit_search,
            c.store,
            target=str(f.target_id) if f.target_id else None,
            actor=f.actor,
            operation=f.operation,
            since=f.since.isoformat() if f.since else None,
            before=before,
            limit=size + 1,
        )
        return connection(
            events,
            size,
            "audit",
            lambda e: str(e["seq"]),
            lambda e: mirror(AuditEventView, e, at=datetime.fromisoformat(e["at"])),
        )

    @strawberry.field(description="Recompute the audit hash chain; shows the first break.")
    async def audit_chain(self, info: Info) -> AuditChain:
        c = ctx(info)
        await asyncio.to_thread(c.audit.flush)
        report = await asyncio.to_thread(verify_chain, c.store)
        return mirror(AuditChain, report)

    @strawberry.field(
        description="An organisation by USCC (or SCHEME-id for one identified in another "
        "org-id.guide scheme, e.g. UA-EDR-00032945) or by id."
    )
    async def organization(
        self, info: Info, uscc: str | None = None, id: strawberry.ID | None = None
    ) -> Organization | None:
        args.one_of(uscc, id)
        uid = args.org(uscc) if uscc is not None else str(id)
        return await _stored(info, Organization, "org", strawberry.ID(uid))

    person = _by_id(Person, "person")
    project = _by_id(Project, "project")
    lot = _by_id(Lot, "lot")
    bid = _by_id(Bid, "bid")
    violation = _by_id(Violation, "violation")
    listing = _by_id(ExternalListing, "listing")

    @strawberry.field(description="Any node by id, with its properties.")
    async def node(self, info: Info, id: strawberry.ID) -> EntityNode | None:
        found = await _node(info, str(id))
        return EntityNode.of(found, ctx(info)) if found else None

    @strawberry.field(
        description="Organisations, people, projects and lots by name (partial "
        "Chinese input works) or USCC, best match first."
    )
    async def search(
        self,
        info: Info,
        query: str,
        kind: SearchKind | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        c = ctx(info)
        size = page_size(first, c.max_page_size)
        skip = decode_position(after, "search") or 0
        wanted = [_SEARCH_LABELS[kind.value]] if kind else list(explore.SEARCHABLE_LABELS)
        labels = [x for x in wanted if not c.rows.hides(x)]
        if not labels:
            raise bad_input("kind", "forbidden", "your role may not search this kind")
        hits = await asyncio.to_thread(explore.search, c.store, query, labels, skip, size + 1)
        return connection(
            list(enumerate(hits, start=skip + 1)),
            size,
            "search",
            lambda hit: str(hit[0]),
            lambda hit: SearchHit(score=hit[1][1], node=EntityNode.of(hit[1][0], c)),
        )

    @strawberry.field
    async def organizations(
        self,
        info: Info,
        role: r.OrgRole | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Organization]:
        c = ctx(info)
        size = page_size(first, c.max_page_size)
        start = decode_cursor(after, "organizations") or ""
        label = role.title() if role else None
        nodes = await asyncio.to_thread(c.store.page, "org:", label, start, size + 1)
        return connection(nodes, size, "organizations", lambda n: n.uid, Organization.of)

    @strawberry.field
    async def violations(
        self,
        info: Info,
        subject_id: strawberry.ID | None = None,
        status: r.RecordStatus | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Violation]:
        c = ctx(info)
        size = page_size(first, c.max_page_size)
        start = decode_cursor(after, "violations") or ""
        nodes = await asyncio.to_thread(
            c.store.violations,
            str(subject_id) if subject_id else None,
            status.value if status else None,
            start,
            size + 1,
        )
        return connection(nodes, size, "violations", lambda n: n.uid, Violation.of)

    @strawberry.field(
        description="The entity and everything within `depth` hops, optionally "
        "only along the given relationship types, as nodes and edges."
    )
    async def neighbourhood(
        self,
        info: Info,
        id: strawberry.ID,
        depth: int = 1,
        relationship_types: list[str] | None = None,
        limit: int = 200,
    ) -> Subgraph | None:
        c = ctx(info)
        graph = await asyncio.to_thread(
            explore.neighbourhood, c.store, str(id), depth, relationship_types, limit
        )
        if graph is None:
            return None
        return Subgraph(
            nodes=[EntityNode.of(n, c) for n in graph.nodes.values()],
            edges=[
                graph_edge(c, e.id, e.type, e.start, e.end, e.props) for e in graph.edges.values()
            ],
            truncated=graph.truncated,
        )


@strawberry.input
class OrganizationInput:
    uscc: str
    name: str
    roles: list[r.OrgRole]
    region: str | None = None
    registered_on: date | None = None
    address: str | None = None
    phones: list[str] = strawberry.field(default_factory=list)
    emails: list[str] = strawberry.field(default_factory=list)
    bank_accounts: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class PersonInput:
    id_number: str = strawberry.field(description="Checked, then stored only hashed and masked.")
    name: str
    phones: list[str] = strawberry.field(default_factory=list)
    emails: list[str] = strawberry.field(default_factory=list)
    expert_specialties: list[str] | None = None


@strawberry.input
class MoneyInput:
    amount: str
    currency: str = "CNY"


@strawberry.input
class ViolationInput:
    id: str
    subject_uscc: str | None = None
    subject_id_number: str | None = None
    category: r.ViolationCategory
    severity: r.Severity
    decision_number: str
    authority: str
    basis: str
    penalty_types: list[r.PenaltyType]
    penalty_content: str | None = None
    fine: MoneyInput | None = None
    decided_on: date
    ban_start: date | None = None
    ban_end: date | None = None
    publication_end: date | None = None
    status: r.RecordStatus = r.RecordStatus.ACTIVE
    status_date: date | None = None
    project_id: str | None = None
    lot_id: str | None = None


def _result(report: IntakeReport) -> IngestResult:
    def errors(found: list[IntakeError]) -> list[RecordError]:
        return [mirror(RecordError, e, index=e.line - 1) for e in found]

    return mirror(
        IngestResult,
        report,
        errors=errors(report.errors),
        ids=[report.accepted_uids.get(i) for i in range(1, report.received + 1)],
        conflicts=errors(report.conflicts),
    )


def _record(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """An input object as a record of our format, so one validator serves every channel."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, MoneyInput):
            return {"amount": value.amount, "currency": value.currency}
        return value.value if hasattr(value, "value") else value

    return {"type": kind, **{k: plain(v) for k, v in data.items() if v is not None}}


@strawberry.type
class Mutation(
    SyncMutation, MatchMutation, DetectionMutation, OversightMutation, OwnershipMutation
):
    @strawberry.mutation(
        description="Ingest records of our format (see schema/records.schema"
        ".json). Good records land; each bad one is reported and not written."
    )
    async def ingest_records(self, info: Info, records: list[JSON]) -> IngestResult:
        if len(records) > MAX_RECORDS_PER_CALL:
            raise bad_input("records", "max_items", f"at most {MAX_RECORDS_PER_CALL} per call")
        # An external system writes its own source only; supervisors may write any.
        report = await _ingest(info, records, ctx(info).rows.intake_source())
        return _result(report)

    @strawberry.mutation(
        description="Other systems push their lists (courts, tax, other regions): idempotent on "
        "(source, externalId, version); retractedOn ends a listing; each bad record is reported."
    )
    async def ingest_external_records(
        self, info: Info, source: str, records: list[JSON]
    ) -> IngestResult:
        if len(records) > MAX_RECORDS_PER_CALL:
            raise bad_input("records", "max_items", f"at most {MAX_RECORDS_PER_CALL} per call")
        if (problem := external.check_source(source)) is not None:
            raise bad_input("source", "pattern", problem)
        ctx(info).rows.require_source(source)
        items = list(external.convert(source, enumerate(records, start=1)))
        done = await asyncio.to_thread(ingest, ctx(info).intake, items, external=True)
        return _result(done.report)

    @strawberry.mutation
    async def upsert_organization(self, info: Info, input: OrganizationInput) -> Organization:
        uid = await _ingest_one(info, _record("organization", vars(input)))
        return Organization.of(await _written(info, uid))

    @strawberry.mutation
    async def upsert_person(self, info: Info, input: PersonInput) -> Person:
        data = vars(input).copy()
        specialties = data.pop("expert_specialties")
        if specialties is not None:
            data["expert"] = {"specialties": specialties}
        uid = await _ingest_one(info, _record("person", data))
        return Person.of(await _written(info, uid))

    @strawberry.mutation(
        description="Record a penalty decision (a violation) against an organisation or a person."
    )
    async def record_violation(self, info: Info, input: ViolationInput) -> Violation:
        data = vars(input).copy()
        uscc, id_number = data.pop("subject_uscc"), data.pop("subject_id_number")
        if (uscc is None) == (id_number is None):
            raise bad_input("subject", "one_of", "give exactly one of subjectUscc, subjectIdNumber")
        data["subject"] = {"org": uscc} if uscc else {"person": id_number}
        data["project"], data["lot"] = data.pop("project_id"), data.pop("lot_id")
        uid = await _ingest_one(info, _record("violation", data))
        return Violation.of(await _written(info, uid))


def build_schema(
    settings: Settings, table: PermissionTable | None = None, audit: AuditLog | None = None
) -> strawberry.Schema:
    """The schema with its guards. Without an audit log (contract export) there is no guard."""
    plans = PlanCache(table or load_table())
    # The limit rules are built once: per-request limiter extensions each bring new rule
    # classes, and the validation cache (keyed by document and rules) would then never hit.
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    if not settings.introspection_enabled:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Any] = [
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
    ]
    if audit is not None:
        trail = audit
        extensions.append(lambda: AccessGuard(plans, trail, settings.graphql_max_cost))
    if settings.env is Environment.PRODUCTION:
        extensions.append(lambda: MaskErrors(should_mask_error=_is_unexpected))
    extensions.append(Observe)  # last: translates errors before masking, counts operations
    schema = strawberry.Schema(
        query=Query, mutation=Mutation, types=[Person, Organization], extensions=extensions
    )
    plans.schema = schema._schema
    apply_visibility(schema._schema, plans.table)
    return schema


def _is_unexpected(error: GraphQLError) -> bool:
    """Exceptions from inside resolvers are masked in production unless we raised them on
    purpose (they carry a code); syntax and validation errors are the client's to see."""
    return error.original_error is not None and not (error.extensions or {}).get("code")
