"""GraphQL for credit: eligibility of a supplier or a whole lot, credit profiles, check records.

Resolvers only translate: the decisions come from credit.standing.service and the pure rules."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from credit.api.errors import bad_input
from credit.api.types import Organization, Person, ctx
from credit.checks import log as check_log
from credit.checks import merkle, signing
from credit.domain import ids, periods
from credit.domain.identifiers import IdentifierError, validate_org_key
from credit.intake.mapping import org_uid
from credit.security.permissions import Role
from credit.standing import service as assessment
from credit.standing.eligibility import Decision, Eligibility, Reason
from credit.standing.participation import Affected, Conflict
from credit.standing.scoring import Contribution

strawberry.enum(Decision, description="ELIGIBLE, INELIGIBLE or REVIEW (a person must decide)")


@strawberry.type(description="One reason for a decision, with its legal basis and records.")
class DecisionReason:
    code: str
    decision: Decision
    legal_basis: str
    message: str
    record_ids: list[strawberry.ID]
    until: date | None

    @staticmethod
    def of(reason: Reason) -> DecisionReason:
        return DecisionReason(
            code=reason.code,
            decision=reason.decision,
            legal_basis=reason.legal_basis,
            message=reason.message,
            record_ids=[strawberry.ID(r) for r in reason.record_ids],
            until=reason.until,
        )


@strawberry.type
class SupplierDecision:
    supplier_id: strawberry.ID
    decision: Decision
    reasons: list[DecisionReason]
    as_of: date
    policy_version: str

    @staticmethod
    def of(e: Eligibility) -> SupplierDecision:
        return SupplierDecision(
            supplier_id=strawberry.ID(e.subject_id),
            decision=e.decision,
            reasons=[DecisionReason.of(r) for r in e.reasons],
            as_of=e.as_of,
            policy_version=e.policy_version,
        )

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
class AffectedBidder:
    supplier_id: strawberry.ID
    bid_id: strawberry.ID
    party_id: strawberry.ID = strawberry.field(
        description="The bidder itself or the consortium member through which it is affected."
    )

    @staticmethod
    def of(a: Affected) -> AffectedBidder:
        return AffectedBidder(
            supplier_id=strawberry.ID(a.supplier),
            bid_id=strawberry.ID(a.bid),
            party_id=strawberry.ID(a.party),
        )


@strawberry.type(
    description="A participation conflict among a lot's bidders (Regs Art. 18, Art. 22 para 2, "
    "or a common controller under the policy), with the decision it gives each affected bidder."
)
class LotConflict:
    code: str
    decision: Decision
    supplier_ids: list[strawberry.ID]
    via: list[strawberry.ID]
    affected: list[AffectedBidder]
    legal_basis: str
    message: str

    @staticmethod
    def of(c: Conflict) -> LotConflict:
        return LotConflict(
            code=c.code,
            decision=c.decision,
            supplier_ids=[strawberry.ID(s) for s in c.supplier_ids],
            via=[strawberry.ID(v) for v in c.via],
            affected=[AffectedBidder.of(a) for a in c.affected],
            legal_basis=c.legal_basis,
            message=c.message,
        )


@strawberry.type(
    description="The filed record of a check: keep its id, hash and signature in the file."
)
class CheckRecordRef:
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


def _ref(record: assessment.CheckRecord) -> CheckRecordRef:
    return CheckRecordRef(
        id=strawberry.ID(record.id),
        content_hash=record.content_hash,
        requested_at=record.requested_at,
        content_sm3=record.content_sm3,
        signature=record.signature,
        key_id=record.key_id,
        algorithm=record.algorithm,
        log_index=record.log_index,
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
class ScoreContribution:
    record_id: strawberry.ID
    points: str
    basis: str
    counted_from: date
    counted_until: date | None
    reason: str

    @staticmethod
    def of(c: Contribution) -> ScoreContribution:
        return ScoreContribution(
            record_id=strawberry.ID(c.record_id),
            points=str(c.points),
            basis=c.basis,
            counted_from=c.counted_from,
            counted_until=c.counted_until,
            reason=c.reason,
        )


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
    return CheckInclusionProof(
        log_index=proof.log_index,
        leaf_hash=proof.leaf_hash,
        path=proof.path,
        tree_head=SignedTreeHead(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=head.timestamp,
            algorithm=head.algorithm,
            key_id=head.key_id,
            signature=head.signature,
            published=proof.published,
        ),
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
        proof = await asyncio.to_thread(
            check_log.inclusion, ctx(info).store, signing.get_signer(), record.log_index
        )
        return _inclusion(record, proof)


def _filed(check: assessment.SupplierCheck) -> dict[str, Any]:
    """What every filed single check answers with, whoever its subject."""
    e = check.eligibility
    return {
        "decision": e.decision,
        "reasons": [DecisionReason.of(r) for r in e.reasons],
        "as_of": e.as_of,
        "policy_version": e.policy_version,
        "check_record": _ref(check.record),
        "known_at": e.known_at,
    }


def _instant(known_at: datetime | None) -> datetime | None:
    return None if known_at is None else periods.as_china_time(known_at)


def _org(uscc: str) -> str:
    """A USCC, or SCHEME-id for an organisation identified in another org-id.guide scheme."""
    try:
        return org_uid(validate_org_key(uscc))
    except IdentifierError as exc:
        raise bad_input("uscc", exc.rule, str(exc)) from None


_PERSON_ARG = strawberry.argument(
    description="A natural-person supplier (Law Art. 21) by its id (person:<hash of the identity "
    "number>), instead of uscc."
)


def _supplier(uscc: str | None, person: strawberry.ID | None) -> str:
    """An organisation by USCC or a natural person by its id (the identity-number hash)."""
    if (uscc is None) == (person is None):
        raise bad_input("uscc", "one_of", "give exactly one of uscc and id")
    if uscc is not None:
        return _org(uscc)
    uid = str(person)
    if not re.fullmatch(r"person:[0-9a-f]{16,128}", uid):
        raise bad_input("id", "format", "a person supplier's id is person:<hex hash>")
    return uid


def _lot(lot_id: str) -> str:
    return ids.uid("lot", lot_id)


async def _run(fn: Any, *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


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
        c = ctx(info)
        lot = _lot(str(lot_id)) if lot_id else None
        check: assessment.SupplierCheck = await _run(
            assessment.check_supplier,
            c.store,
            c.policy,
            _supplier(uscc, id),
            as_of,
            lot,
            c.caller.subject,
            _instant(known_at),
        )
        subject = strawberry.ID(check.eligibility.subject_id)
        return SupplierEligibility(supplier_id=subject, **_filed(check))

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
        c = ctx(info)
        check: assessment.SupplierCheck = await _run(
            assessment.check_agency,
            c.store,
            c.policy,
            _org(uscc),
            as_of,
            c.caller.subject,
            _instant(known_at),
        )
        subject = strawberry.ID(check.eligibility.subject_id)
        return AgencyEligibility(agency_id=subject, **_filed(check))

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
        c = ctx(info)
        instant = _instant(known_at)
        check: assessment.LotCheck = await _run(
            assessment.check_lot,
            c.store,
            c.policy,
            _lot(str(lot_id)),
            as_of,
            c.caller.subject,
            instant,
        )
        return LotEligibility(
            lot_id=strawberry.ID(check.lot_id),
            decision=check.decision,
            as_of=check.as_of,
            bidders=[SupplierDecision.of(b) for b in check.bidders],
            conflicts=[LotConflict.of(x) for x in check.conflicts],
            check_record=_ref(check.record),
            known_at=instant,
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
        if (uscc is None) == (id is None):
            raise bad_input("uscc", "one_of", "give exactly one of uscc and id")
        c = ctx(info)
        uid = _org(uscc) if uscc is not None else str(id)
        profile: assessment.Profile = await _run(
            assessment.credit_profile, c.store, c.policy, uid, as_of, _instant(known_at)
        )
        s = profile.score
        return CreditProfile(
            subject_id=strawberry.ID(profile.uid),
            name=profile.name,
            subject_type=s.subject_type,
            score=str(s.score),
            base=str(s.base),
            grade=s.grade,
            as_of=s.as_of,
            policy_version=s.policy_version,
            capped_by=list(s.capped_by),
            explanation=[ScoreContribution.of(x) for x in s.contributions],
            explanation_json=profile.explanation,
            known_at=s.known_at,
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
        if Role.SUPERVISOR not in c.caller.roles and record.requested_by != c.caller.subject:
            return None
        return CheckRecordView(
            id=strawberry.ID(record.id),
            kind=record.kind,
            requested_by=record.requested_by,
            requested_at=record.requested_at,
            content_hash=record.content_hash,
            verified=record.verified,
            content=JSON(record.body),
            content_sm3=record.content_sm3,
            signature=record.signature,
            key_id=record.key_id,
            algorithm=record.algorithm,
            signature_verified=record.signature_verified,
            log_index=record.log_index,
            _record=record,
        )
