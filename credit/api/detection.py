"""GraphQL for collusion and conflict flags: the review queue, one flag with its evidence
subgraph, a lot's flags at bid opening (running the detectors), the detector registry, and a
supervisor's review. Resolvers only translate: the work is in credit.detection.

Purchasers and agencies see flags about lots they run (their organisation is the lot's
purchaser or agency), each cut to its part on their own lots; supervisors see every flag whole.
The rules are credit/security/visibility.py's, applied for every field by credit/api/types.py."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api.errors import bad_input
from credit.api.mirror import Differences, Mirror, mirror
from credit.api.pagination import (
    Connection,
    connection,
    decode_cursor,
    page_size,
)
from credit.api.types import EntityNode, GraphEdge, Lot, Organization, ctx, graph_edge
from credit.detection import flag_store
from credit.detection import lot_flags as lots
from credit.detection.detector import AnyDetector
from credit.detection.flag_store import (
    FlagStatus,
    ReviewDecision,
    StoredFlag,
)
from credit.detection.registry import DETECTORS, DetectionSettings
from credit.domain import ids
from credit.security import visibility as vis

strawberry.enum(FlagStatus, description="OPEN until a supervisor confirms or dismisses it")
strawberry.enum(ReviewDecision)


@strawberry.type(description="A collusion or conflict pattern's evidence, as a small graph.")
class EvidenceGraph:
    nodes: list[EntityNode]
    edges: list[GraphEdge]


@strawberry.type
class FlagReview(Mirror):
    decision: ReviewDecision
    reason: str
    reviewer: str
    reviewer_name: str
    at: datetime
    previous_status: FlagStatus
    evidence_hash: str


@strawberry.type(
    description="A violation record prefilled from a confirmed flag. Not a violation: a "
    "supervisor completes it (decision number, authority, penalty) with recordViolation."
)
class ViolationDraft(Mirror):
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

    differences: ClassVar[Differences] = {
        "id": "uid",
        "flag_id": "flag",
        "subject_id": "subject",
        "project_id": "project_key",
        "lot_id": "lot_key",
    }


@strawberry.type(description="A pattern found by a detector, with its legal basis and evidence.")
class Flag(Mirror):
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

    differences: ClassVar[Differences] = {
        "id": "uid",
        "legal_basis": "basis",
        "lot_id": lambda f: f.lot or None,
        "supplier_ids": "suppliers",
        "other_party_ids": "others",
        "lot_ids": "lots",
        "facts": lambda f: JSON({**f.evidence.get("facts", {}), **f.scores}),
        "reviewed_by": lambda f: f.reviewed_by_name or f.reviewed_by,
        "stored": lambda f: f,
    }

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
            graph_edge(
                c,
                f"{e['type']}:{e['start']}:{e['end']}",
                e["type"],
                e["start"],
                e["end"],
                e.get("props", {}),
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
class BidScreens(Mirror):
    bids: int
    coefficient_of_variation: float | None
    relative_distance: float | None
    kurtosis: float | None
    skewness: float | None
    spread: float | None

    differences: ClassVar[Differences] = {
        "coefficient_of_variation": "cv",
        "relative_distance": "rd",
    }


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
        """`whole`: the caller sees every flag whole (its id leads to it)."""
        return mirror(
            StandingFlag,
            s,
            legal_basis=s.basis,
            bidder_ids=list(s.bidders),
            other_parties=max(0, s.parties - len(s.bidders)),
            flag_id=s.uid if whole else None,
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

    @staticmethod
    def of(d: AnyDetector, settings: DetectionSettings) -> DetectorInfo:
        drafts = d.violation.value if d.violation else None
        return mirror(
            DetectorInfo,
            d,
            legal_basis=d.basis,
            reads=sorted(r.name for r in d.reads),
            phases=sorted(p.value for p in d.phases),
            enabled=settings.of(d.id).enabled,
            settings=JSON(settings.of(d.id).model_dump(mode="json")),
            drafts_violation="INVALID_BID" if d.invalid_bid else drafts,
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
            lot=ids.uid("lot", str(f.lot_id)) if f.lot_id else None,
            supplier=ids.uid("org", f.supplier_uscc) if f.supplier_uscc else None,
            buyer=c.rows.flag_scope(),
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
        if found is None or not c.rows.sees_flag(found.buyers):
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
        found = await asyncio.to_thread(
            lots.lot_flags, c.store, str(lot_id), c.detectors, c.rows.sees_flag, run, history
        )
        return mirror(
            LotFlags,
            found,
            lot_id=found.lot,
            flags=[Flag.of(f) for f in found.flags],
            screens=BidScreens.of(found.screen) if found.screen else None,
            standing=[StandingFlag.of(x, c.rows.sees_all) for x in found.standing],
        )

    @strawberry.field(description="The detectors: legal basis, what they read, their settings.")
    def detectors(self, info: Info) -> list[DetectorInfo]:
        settings = ctx(info).detectors
        return [DetectorInfo.of(d, settings) for d in DETECTORS]


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
