"""GraphQL for collusion and conflict flags: the review queue, one flag with its evidence
subgraph, a lot's flags at bid opening (running the detectors), the detector registry, and a
supervisor's review. Resolvers only translate: the work is in credit.detection.

Purchasers and agencies see flags about lots they run (their organisation is the lot's
purchaser or agency), each cut to its part on their own lots; supervisors see every flag whole.
The rules are credit/security/visibility.py's, applied for every field by credit/api/types.py."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api.errors import bad_input, not_found
from credit.api.pagination import (
    Connection,
    connection,
    decode_cursor,
    page_size,
)
from credit.api.types import EntityNode, GraphEdge, Lot, Organization, ctx
from credit.detection import flag_store
from credit.detection.detectors.bid_screens import Screen
from credit.detection.flag_store import (
    Draft,
    FlagStatus,
    Review,
    ReviewDecision,
    StoredFlag,
)
from credit.detection.registry import DETECTORS
from credit.detection.scan import FORBIDDEN_LOT, DetectionError, detect_lot
from credit.domain import ids
from credit.security import visibility as vis

strawberry.enum(FlagStatus, description="OPEN until a supervisor confirms or dismisses it")
strawberry.enum(ReviewDecision)


def _lot(lot_id: str) -> str:
    return ids.uid("lot", lot_id)


def _org(uscc: str) -> str:
    return ids.uid("org", uscc)


@strawberry.type(description="A collusion or conflict pattern's evidence, as a small graph.")
class EvidenceGraph:
    nodes: list[EntityNode]
    edges: list[GraphEdge]


@strawberry.type
class FlagReview:
    decision: ReviewDecision
    reason: str
    reviewer: str
    reviewer_name: str
    at: datetime
    previous_status: FlagStatus
    evidence_hash: str

    @staticmethod
    def of(r: Review) -> FlagReview:
        return FlagReview(
            decision=r.decision,
            reason=r.reason,
            reviewer=r.reviewer,
            reviewer_name=r.reviewer_name,
            at=r.at,
            previous_status=r.previous_status,
            evidence_hash=r.evidence_hash,
        )


@strawberry.type(
    description="A violation record prefilled from a confirmed flag. Not a violation: a "
    "supervisor completes it (decision number, authority, penalty) with recordViolation."
)
class ViolationDraft:
    id: strawberry.ID
    flag_id: strawberry.ID
    subject_id: strawberry.ID
    subject_uscc: str | None
    category: str
    severity: str
    basis: str
    project_id: str | None
    lot_id: str | None
    summary: str
    created_by: str
    created_at: datetime
    status: str

    @staticmethod
    def of(d: Draft) -> ViolationDraft:
        return ViolationDraft(
            id=strawberry.ID(d.uid),
            flag_id=strawberry.ID(d.flag),
            subject_id=strawberry.ID(d.subject),
            subject_uscc=d.subject_uscc,
            category=d.category,
            severity=d.severity,
            basis=d.basis,
            project_id=d.project_key,
            lot_id=d.lot_key,
            summary=d.summary,
            created_by=d.created_by,
            created_at=d.created_at,
            status=d.status,
        )


@strawberry.type(description="A pattern found by a detector, with its legal basis and evidence.")
class Flag:
    id: strawberry.ID
    pattern: str
    title: str
    confidence: float
    legal_basis: str
    status: FlagStatus
    current: bool = strawberry.field(
        description="False once a later run no longer finds it (kept, never deleted)."
    )
    message: str
    lot_id: strawberry.ID | None
    ocid: str | None
    supplier_ids: list[strawberry.ID]
    other_party_ids: list[strawberry.ID] = strawberry.field(
        description="Other parties: a reviewer, a buyer, a banned supplier."
    )
    lot_ids: list[strawberry.ID]
    facts: JSON = strawberry.field(description="The numbers behind the flag (prices, chances).")
    first_seen: datetime
    last_seen: datetime
    evidence_changed_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_reason: str | None
    stored: strawberry.Private[StoredFlag]
    partial: strawberry.Private[bool] = False

    @staticmethod
    def of(f: StoredFlag) -> Flag:
        return Flag(
            id=strawberry.ID(f.uid),
            pattern=f.pattern,
            title=f.title,
            confidence=f.confidence,
            legal_basis=f.basis,
            status=f.status,
            current=f.current,
            message=f.message,
            lot_id=strawberry.ID(f.lot) if f.lot else None,
            ocid=f.ocid,
            supplier_ids=[strawberry.ID(s) for s in f.suppliers],
            other_party_ids=[strawberry.ID(o) for o in f.others],
            lot_ids=[strawberry.ID(x) for x in f.lots],
            facts=JSON({**f.evidence.get("facts", {}), **f.scores}),
            first_seen=f.first_seen,
            last_seen=f.last_seen,
            evidence_changed_at=f.evidence_changed_at,
            reviewed_by=f.reviewed_by_name or f.reviewed_by,
            reviewed_at=f.reviewed_at,
            review_reason=f.review_reason,
            stored=f,
        )

    def unit_uids(self) -> Iterable[str]:
        """The lots whose units this flag concerns (visibility shows each unit its part)."""
        return self.stored.lots or ((self.stored.lot,) if self.stored.lot else ())

    def visible_part(self, own: frozenset[str]) -> Flag | None:
        """The flag cut to the caller's own lots: none of them, no flag; the buyers of the
        other lots are no party of the caller's part."""
        if not own:
            return None
        lots = list(self.unit_uids())
        if len(own) == len(lots):
            return self
        foreign = set(self.stored.buyers)
        return dataclasses.replace(
            self,
            lot_ids=[x for x in self.lot_ids if str(x) in own],
            other_party_ids=[x for x in self.other_party_ids if str(x) not in foreign],
            partial=True,
        )

    def concealed_value(self, field: str, value: Any) -> Any:
        """Message and facts for a caller without the supervisor role: as stored unless the
        flag names a person (kinship, employment) or is shown in part (other units' lots)."""
        evidence = [str(n) for n in self.stored.evidence.get("nodes", [])]
        names_person = vis.about_person([*self.stored.others, *evidence])
        all_lots = len(list(self.unit_uids()))
        own = len(self.lot_ids) if self.partial else all_lots
        text = vis.flag_text(self.title, own, all_lots, names_person)
        if text is None:
            return value
        return text if field == "message" else JSON({})

    @strawberry.field
    async def suppliers(self, info: Info) -> list[Organization]:
        nodes = await ctx(info).loaders.nodes.load_many(list(self.stored.suppliers))
        return [Organization.of(n) for n in nodes if n is not None]

    @strawberry.field
    async def lot(self, info: Info) -> Lot | None:
        if self.stored.lot is None:
            return None
        node = await ctx(info).loaders.nodes.load(self.stored.lot)
        return Lot.of(node) if node else None

    @strawberry.field(
        description="The shared person, account, phone or device; the bids and their prices; "
        "the lots over time. Personal data is redacted as everywhere else."
    )
    async def evidence(self, info: Info) -> EvidenceGraph:
        c = ctx(info)
        found = await c.loaders.nodes.load_many(list(self.stored.evidence.get("nodes", [])))
        nodes = [EntityNode.of(n, c) for n in found if n is not None]
        shown = {str(n.id) for n in nodes}
        edges = [
            GraphEdge(
                id=strawberry.ID(f"{e['type']}:{e['start']}:{e['end']}"),
                type=e["type"],
                source=strawberry.ID(e["start"]),
                target=strawberry.ID(e["end"]),
                properties=JSON(c.visible(e.get("props", {}), (e["type"],))),
            )
            for e in self.stored.evidence.get("edges", [])
            if e["start"] in shown and e["end"] in shown
        ]
        return EvidenceGraph(nodes=nodes, edges=edges)

    @strawberry.field(description="Every review of this flag, newest first.")
    async def reviews(self, info: Info) -> list[FlagReview]:
        found = await asyncio.to_thread(flag_store.reviews, ctx(info).store, [self.stored.uid])
        return [FlagReview.of(r) for r in found[self.stored.uid]]

    @strawberry.field
    async def drafts(self, info: Info) -> list[ViolationDraft]:
        found = await asyncio.to_thread(flag_store.drafts, ctx(info).store, [self.stored.uid])
        return [ViolationDraft.of(d) for d in found[self.stored.uid]]


@strawberry.type(description="Statistical screens over a lot's bids (None where undefined).")
class BidScreens:
    bids: int
    coefficient_of_variation: float | None
    relative_distance: float | None
    kurtosis: float | None
    skewness: float | None
    spread: float | None

    @staticmethod
    def of(s: Screen) -> BidScreens:
        return BidScreens(
            bids=s.bids,
            coefficient_of_variation=s.cv,
            relative_distance=s.rd,
            kurtosis=s.kurtosis,
            skewness=s.skewness,
            spread=s.spread,
        )


@strawberry.type(
    description="A standing flag of the last scan about some of a lot's bidders (a rotation "
    "ring, cover bidding, a successor of a debarred supplier...), as the lot's purchaser may "
    "see it at bid opening: the pattern, which of its bidders, the legal basis and the "
    "confidence; never other lots, other buyers' bids or prices."
)
class StandingFlag:
    pattern: str
    title: str
    legal_basis: str
    confidence: float
    status: FlagStatus
    last_seen: datetime = strawberry.field(description="When a scan last found it.")
    bidder_ids: list[strawberry.ID] = strawberry.field(
        description="The lot's bidders it names (org ids)."
    )
    other_parties: int = strawberry.field(
        description="How many other suppliers it names, not shown here."
    )
    flag_id: strawberry.ID | None = strawberry.field(
        description="The whole flag, for supervisors (who see every flag); none for others."
    )

    @strawberry.field
    async def bidders(self, info: Info) -> list[Organization]:
        nodes = await ctx(info).loaders.nodes.load_many([str(b) for b in self.bidder_ids])
        return [Organization.of(n) for n in nodes if n is not None]

    @staticmethod
    def of(s: flag_store.Standing, whole: bool) -> StandingFlag:
        return StandingFlag(
            pattern=s.pattern,
            title=s.title,
            legal_basis=s.basis,
            confidence=s.confidence,
            status=s.status,
            last_seen=s.last_seen,
            bidder_ids=[strawberry.ID(b) for b in s.bidders],
            other_parties=max(0, s.parties - len(s.bidders)),
            flag_id=strawberry.ID(s.uid) if whole else None,
        )


@strawberry.type
class LotFlags:
    lot_id: strawberry.ID
    flags: list[Flag]
    screens: BidScreens | None
    ran: bool = strawberry.field(description="Whether the detectors ran for this answer.")
    seconds: float | None
    standing: list[StandingFlag] = strawberry.field(
        description="What the last scan knows about the lot's bidders: its standing flags "
        "of no single lot that name any of them (see StandingFlag)."
    )


@strawberry.type
class DetectorInfo:
    id: str
    title: str
    legal_basis: str
    reads: list[str]
    phases: list[str]
    enabled: bool
    settings: JSON
    why: str
    drafts_violation: str | None = strawberry.field(
        description="The violation category a confirmed flag drafts (INVALID_BID: a declaration "
        "that the bids are invalid, for Regs Art. 18); none for screens and leads."
    )


@strawberry.input
class FlagFilter:
    pattern: str | None = None
    status: FlagStatus | None = None
    lot_id: strawberry.ID | None = None
    supplier_uscc: str | None = None
    min_confidence: float | None = None
    include_retired: bool = False


@strawberry.type
class FlagReviewResult:
    flag: Flag
    drafts: list[ViolationDraft]


@strawberry.type(description="A page of the flag queue, and how many flags match in all.")
class FlagConnection(Connection[Flag]):
    counter: strawberry.Private[Callable[[], int]]

    @strawberry.field(
        description="How many flags match the filter in all (the caller's visible ones), "
        "not the page size; counted only when asked for."
    )
    async def total_count(self) -> int:
        return await asyncio.to_thread(self.counter)


def _after(cursor: str | None) -> tuple[float, str] | None:
    value = decode_cursor(cursor, "flags")
    if value is None:
        return None
    confidence, _, uid = value.partition("|")
    try:
        return float(confidence), uid
    except ValueError:
        raise bad_input("after", "cursor.malformed", "not a cursor this API issued") from None


@strawberry.type
class DetectionQuery:
    @strawberry.field(
        description="Collusion and conflict flags, most confident first: a supervisor's queue, "
        "or a purchaser's flags about the lots it runs."
    )
    async def flags(
        self,
        info: Info,
        filter: FlagFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> FlagConnection:
        c = ctx(info)
        size = page_size(first, c.max_page_size)
        f = filter or FlagFilter()
        query = flag_store.FlagQuery(
            pattern=f.pattern,
            status=f.status,
            lot=_lot(str(f.lot_id)) if f.lot_id else None,
            supplier=_org(f.supplier_uscc) if f.supplier_uscc else None,
            buyer=vis.flag_scope(c.table, c.caller),
            min_confidence=f.min_confidence,
            current_only=not f.include_retired,
        )
        found = await asyncio.to_thread(
            flag_store.flags_page, c.store, query, _after(after), size + 1
        )
        page = connection(found, size, "flags", lambda x: f"{x.confidence!r}|{x.uid}", Flag.of)
        return FlagConnection(
            edges=page.edges,
            page_info=page.page_info,
            counter=lambda: flag_store.flags_count(c.store, query),
        )

    @strawberry.field(description="One flag, with its evidence subgraph and reviews.")
    async def flag(self, info: Info, id: strawberry.ID) -> Flag | None:
        c = ctx(info)
        found = await asyncio.to_thread(flag_store.flag, c.store, str(id))
        if found is None or not vis.flag_visible(c.table, c.caller, found.buyers):
            return None
        return Flag.of(found)

    @strawberry.field(
        description="The flags among a lot's bidders and reviewers, and the lot's bid "
        "screens. With run (the default) the lot detectors run first, as at bid opening; "
        "with history also the history patterns among its bidders (slower: they read the "
        "bidders' whole history; the full scan keeps them otherwise)."
    )
    async def lot_flags(
        self, info: Info, lot_id: strawberry.ID, run: bool = True, history: bool = False
    ) -> LotFlags:
        c = ctx(info)
        lot = _lot(str(lot_id))

        def may_see(buyers: Sequence[str]) -> bool:
            return vis.flag_visible(c.table, c.caller, buyers)

        seconds = None
        if run:
            # the detectors' reads go out at once; the scope is checked before any write
            result = await asyncio.to_thread(
                detect_lot, c.store, lot, c.detectors, may_see, history
            )
            flags, screen, seconds = result.flags, result.screen, result.seconds
        else:
            buyers = await asyncio.to_thread(flag_store.lot_buyers, c.store, lot)
            if buyers is None:
                raise not_found("lotId", str(lot_id))
            if not may_see(buyers):
                raise DetectionError("lotId", "forbidden", FORBIDDEN_LOT)
            flags = await asyncio.to_thread(flag_store.flags_of_lot, c.store, lot)
            screen = await asyncio.to_thread(flag_store.screen_of, c.store, lot)
        # the caller may see this lot (checked above); of the scan's flags about its bidders
        # it sees what the purchaser needs at bid opening, the whole flag if it sees all flags
        standing = await asyncio.to_thread(flag_store.standing_of_lot, c.store, lot)
        whole = vis.sees_all(c.table, c.caller)
        return LotFlags(
            lot_id=strawberry.ID(lot),
            flags=[Flag.of(f) for f in flags],
            screens=BidScreens.of(screen) if screen else None,
            ran=run,
            seconds=seconds,
            standing=[StandingFlag.of(x, whole) for x in standing],
        )

    @strawberry.field(description="The detectors: legal basis, what they read, their settings.")
    def detectors(self, info: Info) -> list[DetectorInfo]:
        settings = ctx(info).detectors
        return [
            DetectorInfo(
                id=d.id,
                title=d.title,
                legal_basis=d.basis,
                reads=sorted(r.name for r in d.reads),
                phases=sorted(p.value for p in d.phases),
                enabled=settings.of(d.id).enabled,
                settings=JSON(settings.of(d.id).model_dump(mode="json")),
                why=d.why,
                drafts_violation="INVALID_BID"
                if d.invalid_bid
                else d.violation.value
                if d.violation
                else None,
            )
            for d in DETECTORS
        ]


@strawberry.type
class DetectionMutation:
    @strawberry.mutation(
        description="Confirm or dismiss a flag, with a reason (kept with the reviewer and "
        "time). Confirming can draft a violation per party for a supervisor to complete; "
        "nothing is ever penalised automatically."
    )
    async def review_flag(
        self,
        info: Info,
        id: strawberry.ID,
        decision: ReviewDecision,
        reason: str,
        create_draft_violation: bool = False,
    ) -> FlagReviewResult:
        c = ctx(info)
        updated, drafts = await asyncio.to_thread(
            flag_store.review,
            c.store,
            str(id),
            decision,
            reason,
            c.caller.subject,
            c.caller.name,
            create_draft_violation,
        )
        return FlagReviewResult(
            flag=Flag.of(updated), drafts=[ViolationDraft.of(d) for d in drafts]
        )
