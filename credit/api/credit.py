"""GraphQL for credit: eligibility of a supplier or a whole lot, credit profiles, check records.

Resolvers only translate: the decisions come from credit.standing.service and the pure rules."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api import args
from credit.api.errors import bad_input
from credit.api.mirror import Differences, Mirror, mirror
from credit.api.types import Organization, Person, ctx
from credit.checks import log as check_log
from credit.checks import merkle
from credit.domain import ids, periods
from credit.standing import service as assessment
from credit.standing.eligibility import Decision

T = TypeVar("T")

strawberry.enum(Decision, description="ELIGIBLE, INELIGIBLE or REVIEW (a person must decide)")


@strawberry.type(description="One reason for a decision, with its legal basis and records.")
class DecisionReason(Mirror):
    code: str
    decision: Decision
    legal_basis: str
    message: str
    record_ids: list[strawberry.ID]
    until: date | None


@strawberry.type
class SupplierDecision(Mirror):
    supplier_id: strawberry.ID
    decision: Decision
    reasons: list[DecisionReason]
    as_of: date
    policy_version: str

    differences: ClassVar[Differences] = {
        "supplier_id": "subject_id",
        "reasons": lambda e: [DecisionReason.of(r) for r in e.reasons],
    }

    @strawberry.field
    async def supplier(self, info: Info) -> Organization | None:
        node = await ctx(info).loaders.nodes.load(self.supplier_id)
        return Organization.of(node) if node and node.kind == "org" else None

    @strawberry.field(
        description="A natural-person supplier (Law Art. 21): masked identity number; the name "
        "only for the roles the permission table allows (Person.name)."
    )
    async def person(self, info: Info) -> Person | None:
        node = await ctx(info).loaders.nodes.load(self.supplier_id)
        return Person.of(node) if node and node.kind == "person" else None


@strawberry.type(description="A bidder a conflict affects, and through which party of its bid.")
class AffectedBidder(Mirror):
    supplier_id: strawberry.ID
    bid_id: strawberry.ID
    party_id: strawberry.ID = strawberry.field(
        description="The bidder itself or the consortium member through which it is affected."
    )

    differences: ClassVar[Differences] = {
        "supplier_id": "supplier",
        "bid_id": "bid",
        "party_id": "party",
    }


@strawberry.type(
    description="A participation conflict among a lot's bidders (Regs Art. 18, Art. 22 para 2, "
    "or a common controller under the policy), with the decision it gives each affected bidder."
)
class LotConflict(Mirror):
    code: str
    decision: Decision
    supplier_ids: list[strawberry.ID]
    via: list[strawberry.ID]
    affected: list[AffectedBidder]
    legal_basis: str
    message: str

    differences: ClassVar[Differences] = {
        "affected": lambda c: [AffectedBidder.of(a) for a in c.affected]
    }


@strawberry.type(
    description="The filed record of a check: keep its id, hash and signature in the file."
)
class CheckRecordRef(Mirror):
    id: strawberry.ID
    content_hash: str
    requested_at: str
    content_sm3: str | None = None
    signature: str | None = strawberry.field(
        default=None, description="SM2 signature (hex ASN.1 DER) over the canonical content"
    )
    key_id: str | None = strawberry.field(
        default=None, description="The signing key, listed at /.well-known/credit-check-keys"
    )
    algorithm: str | None = None
    log_index: int | None = strawberry.field(
        default=None, description="Position in the append-only Merkle log of check records"
    )


_KNOWN_AT = (
    "Only what had been received, and status changes recorded, by this instant (a time without "
    "an offset is China time): reproduces what a check answered then. Without it, everything "
    "known now tells the legal state on asOf."
)


@strawberry.type
class SupplierEligibility(SupplierDecision):
    check_record: CheckRecordRef
    known_at: datetime | None = strawberry.field(description=_KNOWN_AT)


@strawberry.type(description="May this agency act as procurement agent (Law Art. 78)?")
class AgencyEligibility:
    agency_id: strawberry.ID
    decision: Decision
    reasons: list[DecisionReason]
    as_of: date
    policy_version: str
    check_record: CheckRecordRef
    known_at: datetime | None = strawberry.field(description=_KNOWN_AT)


@strawberry.type
class LotEligibility:
    lot_id: strawberry.ID
    decision: Decision
    as_of: date = strawberry.field(
        description="The day checked: the one given, else the lot's bid deadline (Caiku [2016] "
        "No. 125), else today in China."
    )
    bidders: list[SupplierDecision]
    conflicts: list[LotConflict]
    check_record: CheckRecordRef
    known_at: datetime | None = strawberry.field(description=_KNOWN_AT)


@strawberry.type
class ScoreContribution(Mirror):
    record_id: strawberry.ID
    points: str
    basis: str
    counted_from: date
    counted_until: date | None
    reason: str

    differences: ClassVar[Differences] = {"points": lambda c: str(c.points)}


@strawberry.type(description="Score and grade as of a date; base plus contributions is the score.")
class CreditProfile:
    subject_id: strawberry.ID
    name: str
    subject_type: str
    score: str
    base: str
    grade: str
    as_of: date
    policy_version: str
    capped_by: list[str]
    explanation: list[ScoreContribution]
    explanation_json: str = strawberry.field(
        description="Canonical JSON of the whole score: byte-identical for the same inputs."
    )
    known_at: datetime | None = strawberry.field(description=_KNOWN_AT)


@strawberry.type(description="A signed tree head of the check-record log.")
class SignedTreeHead:
    tree_size: int
    root_hash: str
    timestamp: str
    algorithm: str
    key_id: str
    signature: str
    published: bool = strawberry.field(
        description="A daily root published on the change feed (else signed on request)"
    )


@strawberry.type(description="RFC 6962 audit path from the record's leaf to a signed root.")
class CheckInclusionProof:
    log_index: int
    leaf_hash: str
    path: list[str]
    tree_head: SignedTreeHead
    verified: bool = strawberry.field(description="The path leads from the leaf to the root.")


def _inclusion(record: assessment.CheckRecord, proof: check_log.Inclusion) -> CheckInclusionProof:
    head = proof.tree_head
    leaf = merkle.leaf_hash(record.content.encode())
    return mirror(
        CheckInclusionProof,
        proof,
        tree_head=mirror(SignedTreeHead, head, published=proof.published),
        verified=merkle.verify_inclusion(
            proof.log_index,
            head.tree_size,
            leaf,
            [bytes.fromhex(p) for p in proof.path],
            bytes.fromhex(head.root_hash),
        ),
    )


@strawberry.type
class CheckRecordView:
    id: strawberry.ID
    kind: str
    requested_by: str
    requested_at: str
    content_hash: str
    verified: bool = strawberry.field(
        description="The stored content still matches its SHA-256 and SM3 hashes and, when "
        "signed, its SM2 signature."
    )
    content: JSON
    content_sm3: str | None
    signature: str | None
    key_id: str | None
    algorithm: str | None
    signature_verified: bool | None = strawberry.field(
        description="The SM2 signature holds over the stored content (null: filed unsigned)."
    )
    log_index: int | None
    _record: strawberry.Private[assessment.CheckRecord]

    @strawberry.field(description="The record's place in the log under a signed tree head.")
    async def inclusion_proof(self, info: Info) -> CheckInclusionProof | None:
        record = self._record
        if record.log_index is None:
            return None
        c = ctx(info)
        proof = await asyncio.to_thread(check_log.inclusion, c.store, c.signer, record.log_index)
        return _inclusion(record, proof)


def _filed(cls: type[T], check: assessment.SupplierCheck, subject_field: str) -> T:
    """What every filed single check answers with, whoever its subject."""
    e = check.eligibility
    return mirror(
        cls,
        e,
        reasons=[DecisionReason.of(r) for r in e.reasons],
        check_record=CheckRecordRef.of(check.record),
        **{subject_field: e.subject_id},
    )


def _instant(known_at: datetime | None) -> datetime | None:
    return None if known_at is None else periods.as_china_time(known_at)


_PERSON_ARG = strawberry.argument(
    description="A natural-person supplier (Law Art. 21) by its id (person:<hash of the identity "
    "number>), instead of uscc."
)


def _supplier(uscc: str | None, person: strawberry.ID | None) -> str:
    """An organisation by USCC or a natural person by its id (the identity-number hash)."""
    args.one_of(uscc, person)
    if uscc is not None:
        return args.org(uscc)
    uid = str(person)
    if not re.fullmatch(r"person:[0-9a-f]{16,128}", uid):
        raise bad_input("id", "format", "a person supplier's id is person:<hex hash>")
    return uid


async def _filing(info: Info, check: Callable[..., T], *subject: Any, known_at: Any) -> T:
    """A check run for the caller, who is named in the record it files."""
    c = ctx(info)
    instant = _instant(known_at)
    return await asyncio.to_thread(check, c.store, c.policy, *subject, c.caller.subject, instant)


@strawberry.type
class CreditQuery:
    @strawberry.field(
        description="May this supplier take part on asOf (the legal state that day from "
        "everything known now; default: the lot's bid deadline with a lot, else today in "
        "China)? knownAt narrows to what was known then. Files a check record."
    )
    async def supplier_eligibility(
        self,
        info: Info,
        uscc: str | None = None,
        as_of: date | None = None,
        lot_id: strawberry.ID | None = None,
        known_at: datetime | None = None,
        id: Annotated[strawberry.ID | None, _PERSON_ARG] = None,
    ) -> SupplierEligibility:
        lot = ids.uid("lot", str(lot_id)) if lot_id else None
        subject = _supplier(uscc, id)
        check = await _filing(
            info, assessment.check_supplier, subject, as_of, lot, known_at=known_at
        )
        return _filed(SupplierEligibility, check, "supplier_id")

    @strawberry.field(
        description="May this procurement agency act as agent (Law Art. 78 bans; Administrative "
        "Penalty Law Art. 9 penalties)? Files a check record."
    )
    async def agency_eligibility(
        self,
        info: Info,
        uscc: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> AgencyEligibility:
        check = await _filing(
            info, assessment.check_agency, args.org(uscc), as_of, known_at=known_at
        )
        return _filed(AgencyEligibility, check, "agency_id")

    @strawberry.field(
        description="Every bidder of a lot at once, with the Art. 18 conflicts "
        "among them, as of asOf (default: the lot's bid deadline). Files one check record."
    )
    async def lot_eligibility(
        self,
        info: Info,
        lot_id: strawberry.ID,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> LotEligibility:
        lot = ids.uid("lot", str(lot_id))
        check = await _filing(info, assessment.check_lot, lot, as_of, known_at=known_at)
        return mirror(
            LotEligibility,
            check,
            bidders=[SupplierDecision.of(b) for b in check.bidders],
            conflicts=[LotConflict.of(x) for x in check.conflicts],
            check_record=CheckRecordRef.of(check.record),
            known_at=_instant(known_at),
        )

    @strawberry.field(
        description="Credit score and grade of a supplier, agency or expert on asOf (default "
        "today in China), under the policy version in force that day."
    )
    async def credit_profile(
        self,
        info: Info,
        uscc: str | None = None,
        id: strawberry.ID | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> CreditProfile:
        args.one_of(uscc, id)
        c = ctx(info)
        uid = args.org(uscc) if uscc is not None else str(id)
        profile = await asyncio.to_thread(
            assessment.credit_profile, c.store, c.policy, uid, as_of, _instant(known_at)
        )
        s = profile.score
        return mirror(
            CreditProfile,
            s,
            subject_id=profile.uid,
            name=profile.name,
            score=str(s.score),
            base=str(s.base),
            explanation=[ScoreContribution.of(x) for x in s.contributions],
            explanation_json=profile.explanation,
        )

    @strawberry.field(
        description="A filed check record, verified against its hashes and signature. Purchasers "
        "and agencies see their own; supervisors see all."
    )
    async def check_record(self, info: Info, id: strawberry.ID) -> CheckRecordView | None:
        c = ctx(info)
        record = await asyncio.to_thread(assessment.read_check_record, c.store, str(id))
        if record is None:
            return None
        if not c.rows.reads_check_record(record.requested_by):
            return None
        return mirror(CheckRecordView, record, content=JSON(record.body), _record=record)
