"""The record format: every node and relationship type of the graph, defined once.

Intake (files, GraphQL mutations, the demo generator) goes through these models, and the JSON
Schema in schema/records.schema.json is generated from them, so the contract, the validation
and the graph can't drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    model_validator,
)
from pydantic_core import PydanticCustomError

from credit.domain.identifiers import (
    IdentifierError,
    org_key,
    validate_identity_number,
    validate_org_key,
    validate_uscc,
)
from credit.domain.model import KINDS


def _as_pydantic(check: Callable[..., str], *values: str) -> str:
    """Run an identifier rule, its IdentifierError reported as pydantic reports a field's."""
    try:
        return check(*values)
    except IdentifierError as exc:
        raise PydanticCustomError(exc.rule, str(exc)) from exc


def _checked(check: Callable[[str], str]) -> AfterValidator:
    return AfterValidator(lambda value: _as_pydantic(check, value))


def _exactly_one(record: BaseModel, rule: str, *fields: str, shown: str = "") -> None:
    """A record keyed (or made) by either of two fields gives exactly one of them."""
    if sum(getattr(record, name) is not None for name in fields) != 1:
        raise PydanticCustomError(rule, f"give exactly one of {shown or ' and '.join(fields)}")


Uscc = Annotated[str, _checked(validate_uscc), Field(json_schema_extra={"format": "cn-uscc"})]
# An organisation as records refer to it: a USCC, or `SCHEME-id` for one identified in another
# scheme of org-id.guide (UA-EDR-00032945): credit.domain.identifiers.validate_org_key.
OrgKey = Annotated[str, _checked(validate_org_key), Field(json_schema_extra={"format": "org-key"})]
IdNumber = Annotated[
    str, _checked(validate_identity_number), Field(json_schema_extra={"format": "cn-ric"})
]
RecordId = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,99}$", max_length=100)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Source = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]{0,63}$")]
# Phone numbers, e-mail addresses, bank accounts: each a shared-identifier hub in the graph.
Contacts = Annotated[list[Short], Field(max_length=20)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=2000)


class Money(Strict):
    amount: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=2)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"


class Provenance(Strict):
    """Where a record came from; intake is idempotent on (source, external id, version)."""

    source: Source = "local"
    external_id: Short | None = None
    version: Annotated[int, Field(ge=1)] = 1


# --- enumerations -------------------------------------------------------------------------


class OrgRole(StrEnum):
    SUPPLIER = "SUPPLIER"
    AGENCY = "AGENCY"
    PURCHASER = "PURCHASER"


class GroupKind(StrEnum):
    GROUP = "GROUP"
    ASSOCIATION = "ASSOCIATION"
    CONSORTIUM = "CONSORTIUM"


class TieKind(StrEnum):
    LEGAL_REP_OF = "LEGAL_REP_OF"
    RESPONSIBLE_FOR = "RESPONSIBLE_FOR"
    OWNS = "OWNS"
    CONTROLS = "CONTROLS"
    MANAGES = "MANAGES"
    DIRECTOR_OF = "DIRECTOR_OF"
    SUPERVISOR_OF = "SUPERVISOR_OF"
    EMPLOYED_BY = "EMPLOYED_BY"
    RELATIVE_OF = "RELATIVE_OF"
    MEMBER_OF = "MEMBER_OF"
    PROVIDED_SERVICE = "PROVIDED_SERVICE"


class Kinship(StrEnum):
    SPOUSE = "SPOUSE"
    PARENT = "PARENT"
    CHILD = "CHILD"
    SIBLING = "SIBLING"
    GRANDPARENT = "GRANDPARENT"
    GRANDCHILD = "GRANDCHILD"
    COLLATERAL_THIRD_DEGREE = "COLLATERAL_THIRD_DEGREE"
    IN_LAW = "IN_LAW"


class ProjectService(StrEnum):
    """Regs Art. 18 para. 2: these services bar the provider from the project's other lots."""

    OVERALL_DESIGN = "OVERALL_DESIGN"
    SPECIFICATION = "SPECIFICATION"
    PROJECT_MANAGEMENT = "PROJECT_MANAGEMENT"
    SUPERVISION = "SUPERVISION"
    TESTING = "TESTING"


class ProcurementMethod(StrEnum):
    OPEN_TENDERING = "OPEN_TENDERING"
    SELECTIVE_TENDERING = "SELECTIVE_TENDERING"
    COMPETITIVE_NEGOTIATION = "COMPETITIVE_NEGOTIATION"
    COMPETITIVE_CONSULTATION = "COMPETITIVE_CONSULTATION"
    SINGLE_SOURCE = "SINGLE_SOURCE"
    REQUEST_FOR_QUOTATION = "REQUEST_FOR_QUOTATION"
    FRAMEWORK = "FRAMEWORK"


class ProcurementCategory(StrEnum):
    GOODS = "GOODS"
    WORKS = "WORKS"
    SERVICES = "SERVICES"


class BidStatus(StrEnum):
    VALID = "VALID"
    WITHDRAWN = "WITHDRAWN"
    DISQUALIFIED = "DISQUALIFIED"


class DeviceKind(StrEnum):
    MAC = "MAC"
    IP = "IP"
    AUTHOR = "AUTHOR"
    # The e-bidding platform's machine code of the computer that uploaded the bid, and the CA
    # certificate (its serial) that signed the bid file: what trading centres log besides IP.
    MACHINE_CODE = "MACHINE_CODE"
    CA_CERT = "CA_CERT"


class TeamRole(StrEnum):
    """A person named in a bid's project team (项目负责人, 技术负责人, 项目组成员)."""

    PROJECT_MANAGER = "PROJECT_MANAGER"
    TECHNICAL_LEAD = "TECHNICAL_LEAD"
    MEMBER = "MEMBER"


class SectionKind(StrEnum):
    """What a document fingerprint covers: a normalised section of a document's text, or a
    whole attachment (a licence scan, a certificate, a drawing)."""

    SECTION = "SECTION"
    ATTACHMENT = "ATTACHMENT"


class Acceptance(StrEnum):
    PENDING = "PENDING"
    PASSED = "PASSED"
    FAILED = "FAILED"


class ViolationCategory(StrEnum):
    FALSE_MATERIALS = "FALSE_MATERIALS"
    BRIBERY = "BRIBERY"
    MALICIOUS_COLLUSION = "MALICIOUS_COLLUSION"
    FALSE_COMPLAINT = "FALSE_COMPLAINT"
    REFUSED_CONTRACT = "REFUSED_CONTRACT"
    BREACH_OF_CONTRACT = "BREACH_OF_CONTRACT"
    UNAUTHORISED_SUBCONTRACT = "UNAUTHORISED_SUBCONTRACT"
    QUALITY_FAILURE = "QUALITY_FAILURE"
    OBSTRUCTED_INSPECTION = "OBSTRUCTED_INSPECTION"
    CRIMINAL_OFFENCE = "CRIMINAL_OFFENCE"
    BUSINESS_SUSPENDED = "BUSINESS_SUSPENDED"
    LICENCE_REVOKED = "LICENCE_REVOKED"
    TAX_VIOLATION = "TAX_VIOLATION"
    EXPERT_FAILED_RECUSAL = "EXPERT_FAILED_RECUSAL"
    EXPERT_LEAKED_INFORMATION = "EXPERT_LEAKED_INFORMATION"
    EXPERT_SOLICITED_BENEFITS = "EXPERT_SOLICITED_BENEFITS"
    EXPERT_IRREGULAR_REVIEW = "EXPERT_IRREGULAR_REVIEW"
    AGENCY_IRREGULAR_PROCEDURE = "AGENCY_IRREGULAR_PROCEDURE"
    OTHER = "OTHER"


class Severity(StrEnum):
    GENERAL = "GENERAL"
    SERIOUS = "SERIOUS"
    MAJOR = "MAJOR"


class PenaltyType(StrEnum):
    WARNING = "WARNING"
    FINE = "FINE"
    CONFISCATION = "CONFISCATION"
    PROCUREMENT_BAN = "PROCUREMENT_BAN"
    BUSINESS_SUSPENSION = "BUSINESS_SUSPENSION"
    LICENCE_REVOCATION = "LICENCE_REVOCATION"
    CRIMINAL_PENALTY = "CRIMINAL_PENALTY"
    REVIEW_BAN = "REVIEW_BAN"
    # Administrative Penalty Law (2021) Art. 9 items 3 and 4 (降低资质等级, 限制开展生产经营
    # 活动, 责令关闭, 限制从业); a period, if any, is the violation's ban_start/ban_end.
    QUALIFICATION_LOWERED = "QUALIFICATION_LOWERED"
    RESTRICTED_BUSINESS = "RESTRICTED_BUSINESS"
    ORDERED_CLOSURE = "ORDERED_CLOSURE"
    PRACTICE_BAN = "PRACTICE_BAN"
    # Law Art. 78: an agency banned from acting as agent (禁止代理政府采购业务), 1 to 3 years.
    AGENCY_BAN = "AGENCY_BAN"


class RecordStatus(StrEnum):
    ACTIVE = "ACTIVE"
    UNDER_APPEAL = "UNDER_APPEAL"
    REPAIRED = "REPAIRED"
    OVERTURNED = "OVERTURNED"


class ExternalList(StrEnum):
    """The three lists of Caiku [2016] No. 125, plus other regions' lists."""

    COURT_DISHONEST_DEBTOR = "COURT_DISHONEST_DEBTOR"
    MAJOR_TAX_VIOLATION = "MAJOR_TAX_VIOLATION"
    GP_SERIOUS_DISHONESTY = "GP_SERIOUS_DISHONESTY"
    OTHER_REGION_SERIOUS_DISHONESTY = "OTHER_REGION_SERIOUS_DISHONESTY"


class ComplaintOutcome(StrEnum):
    PENDING = "PENDING"
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"
    FALSE_OR_MALICIOUS = "FALSE_OR_MALICIOUS"


# --- references ---------------------------------------------------------------------------


class OrgRef(Strict):
    org: OrgKey


class PersonRef(Strict):
    person: IdNumber


class ProjectRef(Strict):
    project: RecordId


class GroupRef(Strict):
    group: RecordId


class PersonIdentifier(Strict):
    """A person known by another system's identifier (BODS statements, foreign registers).
    Hashed with the deployment secret on intake like identity numbers; `scheme` says whose."""

    scheme: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_.\-]{1,39}$")]
    id: Short


class PersonKeyRef(Strict):
    person_key: PersonIdentifier


PartyRef = OrgRef | PersonRef | PersonKeyRef
TieEnd = OrgRef | PersonRef | PersonKeyRef | ProjectRef | GroupRef
PERSON = (PersonRef, PersonKeyRef)


# --- records --------------------------------------------------------------------------------


class OrgIdentifier(Strict):
    """An organisation's identifier in an org-id.guide scheme other than the USCC (open data
    from other countries: UA-EDR, AM-TIN, GB-COH ...); checked by the scheme's rule."""

    scheme: Annotated[str, StringConstraints(max_length=20)]
    id: Annotated[str, StringConstraints(min_length=1, max_length=80)]

    @model_validator(mode="after")
    def _valid(self) -> Self:
        _as_pydantic(org_key, self.scheme, self.id)
        return self

    @property
    def key(self) -> str:
        return org_key(self.scheme, self.id)


class Organization(Provenance):
    """An organisation, keyed by its USCC or, outside China, by its identifier's scheme."""

    type: Literal["organization"] = "organization"
    uscc: Uscc | None = None
    identifier: OrgIdentifier | None = None
    name: Name
    roles: Annotated[list[OrgRole], Field(min_length=1, max_length=3)]
    region: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    registered_on: date | None = None
    address: Text | None = None
    phones: Contacts = []
    emails: Contacts = []
    bank_accounts: Contacts = []

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        _exactly_one(self, "organization.key", "uscc", "identifier")
        return self

    @property
    def key(self) -> str:
        """The organisation key: the USCC, else `SCHEME-id` (a CN-USCC identifier is a USCC)."""
        if self.uscc is not None:
            return self.uscc
        assert self.identifier is not None  # _one_key
        return self.identifier.key


class ExpertProfile(Strict):
    specialties: Annotated[list[Short], Field(min_length=1, max_length=20)]
    employer: OrgKey | None = None
    active: bool = True


class Person(Provenance):
    """A person, keyed by a resident identity number or by another system's identifier."""

    type: Literal["person"] = "person"
    id_number: IdNumber | None = None
    identifier: PersonIdentifier | None = None
    name: Name
    phones: Contacts = []
    emails: Contacts = []
    expert: ExpertProfile | None = None

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        _exactly_one(self, "person.key", "id_number", "identifier")
        return self


class Group(Provenance):
    type: Literal["group"] = "group"
    id: RecordId
    name: Name
    kind: GroupKind


_TIE_ENDS: dict[TieKind, tuple[tuple[type[Strict], ...], tuple[type[Strict], ...]]] = {
    TieKind.LEGAL_REP_OF: (PERSON, (OrgRef,)),
    TieKind.RESPONSIBLE_FOR: (PERSON, (OrgRef,)),
    TieKind.OWNS: ((*PERSON, OrgRef), (OrgRef,)),
    TieKind.CONTROLS: ((*PERSON, OrgRef), (OrgRef,)),
    TieKind.MANAGES: ((OrgRef,), (OrgRef,)),
    TieKind.DIRECTOR_OF: (PERSON, (OrgRef,)),
    TieKind.SUPERVISOR_OF: (PERSON, (OrgRef,)),
    TieKind.EMPLOYED_BY: (PERSON, (OrgRef,)),
    TieKind.RELATIVE_OF: (PERSON, PERSON),
    TieKind.MEMBER_OF: ((OrgRef,), (GroupRef,)),
    TieKind.PROVIDED_SERVICE: ((OrgRef,), (ProjectRef,)),
}


class Tie(Provenance):
    """A relationship between parties: control, kinship, employment, membership, services."""

    type: Literal["tie"] = "tie"
    kind: TieKind
    source_party: Annotated[TieEnd, Field(alias="from")]
    target: Annotated[TieEnd, Field(alias="to")]
    share: Annotated[Decimal, Field(gt=0, le=1)] | None = None
    kinship: Kinship | None = None
    service: ProjectService | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        allowed_from, allowed_to = _TIE_ENDS[self.kind]
        if not isinstance(self.source_party, allowed_from):
            raise PydanticCustomError(
                "tie.endpoint", f"{self.kind} must start at {_names(allowed_from)}"
            )
        if not isinstance(self.target, allowed_to):
            raise PydanticCustomError(
                "tie.endpoint", f"{self.kind} must end at {_names(allowed_to)}"
            )
        if self.share is not None and self.kind is not TieKind.OWNS:
            raise PydanticCustomError("tie.share", "share is only meaningful for OWNS")
        if (self.kinship is None) != (self.kind is not TieKind.RELATIVE_OF):
            raise PydanticCustomError("tie.kinship", "RELATIVE_OF, and only it, needs kinship")
        if (self.service is None) != (self.kind is not TieKind.PROVIDED_SERVICE):
            raise PydanticCustomError("tie.service", "PROVIDED_SERVICE, and only it, needs service")
        _period("valid_to", self.valid_from, self.valid_to)
        return self


def _names(refs: tuple[type[Strict], ...]) -> str:
    return " or ".join(next(iter(r.model_fields)) for r in refs)


def _period(field: str, start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise PydanticCustomError(
            "period.order", f"{field} must not be before the start of the period"
        )


# "<algorithm>:<lowercase hex digest>", as credit.domain.fingerprints makes it (sha256 of the
# normalised text) and as e-bidding platforms publish file hashes ("md5:...").
Fingerprint = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9-]{2,16}:[0-9a-f]{16,128}$")
]


class DocumentSection(Strict):
    """One section or attachment of a bid's (or the tender's) documents, by its content hash:
    shared sections show mixed-up bid documents (Order 87 Art. 37 item 5) without the
    documents themselves leaving the trading centre."""

    kind: SectionKind = SectionKind.SECTION
    hash: Fingerprint
    title: Name | None = None
    page: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    size: Annotated[int, Field(ge=0)] | None = None  # normalised characters, or bytes of a file


Sections = Annotated[list[DocumentSection], Field(max_length=1000)]


class Project(Provenance):
    type: Literal["project"] = "project"
    id: RecordId
    name: Name
    purchaser: OrgKey
    agency: OrgKey | None = None
    ocid: Short | None = None
    method: ProcurementMethod = ProcurementMethod.OPEN_TENDERING
    category: ProcurementCategory | None = None
    budget: Money | None = None
    published_on: date
    # The tender documents' own sections: boilerplate every bid may copy, never evidence.
    sections: Sections = []


class Lot(Provenance):
    type: Literal["lot"] = "lot"
    id: RecordId
    project: RecordId
    name: Name
    budget: Money | None = None
    bid_deadline: datetime | None = None


class Device(Strict):
    kind: DeviceKind
    value: Short


class TeamMember(Strict):
    role: TeamRole
    person: PersonRef | PersonKeyRef


class Bid(Provenance):
    """A bid by an organisation (`supplier`, its USCC) or a natural person (`supplier_person`,
    an identity number, hashed on intake: Law Art. 21 makes natural persons suppliers too)."""

    type: Literal["bid"] = "bid"
    id: RecordId
    lot: RecordId
    supplier: OrgKey | None = None
    supplier_person: IdNumber | None = None
    consortium_members: Annotated[list[OrgKey], Field(max_length=10)] = []
    price: Money
    submitted_at: datetime
    status: BidStatus = BidStatus.VALID
    preparer: PartyRef | None = None
    agent: PartyRef | None = None
    contact: PersonRef | None = None
    contact_phone: Short | None = None
    # The contact as open data names one (OCDS contactPoint): a name and an e-mail.
    contact_name: Name | None = None
    contact_email: Short | None = None
    deposit_account: Short | None = None
    # Who holds the deposit account (an organisation or a person), and the holder's name as
    # the bank slip shows it: one payer behind accounts with different numbers.
    deposit_holder: PartyRef | None = None
    deposit_holder_name: Name | None = None
    devices: Annotated[list[Device], Field(max_length=10)] = []
    team: Annotated[list[TeamMember], Field(max_length=30)] = []
    file_fingerprint: Short | None = None
    sections: Sections = []  # the bid documents' sections and attachments, fingerprinted

    @model_validator(mode="after")
    def _one_bidder(self) -> Self:
        shown = "supplier (USCC) and supplier_person"
        _exactly_one(self, "bid.supplier", "supplier", "supplier_person", shown=shown)
        if (self.deposit_holder or self.deposit_holder_name) and not self.deposit_account:
            raise PydanticCustomError(
                "bid.deposit_holder", "a deposit holder needs the deposit_account it holds"
            )
        return self


class Award(Provenance):
    type: Literal["award"] = "award"
    id: RecordId
    lot: RecordId
    bid: RecordId | None = None
    supplier: OrgKey
    amount: Money
    awarded_on: date


class Contract(Provenance):
    type: Literal["contract"] = "contract"
    id: RecordId
    award: RecordId
    signed_on: date
    amount: Money
    acceptance: Acceptance = Acceptance.PENDING
    accepted_on: date | None = None


class Review(Provenance):
    type: Literal["review"] = "review"
    id: RecordId
    expert: IdNumber
    lot: RecordId
    reviewed_on: date
    chair: bool = False


class Violation(Provenance):
    """A penalty decision; its status changes over time, it is never deleted."""

    type: Literal["violation"] = "violation"
    id: RecordId
    subject: PartyRef
    category: ViolationCategory
    severity: Severity
    decision_number: Short
    authority: Name
    basis: Text
    penalty_types: Annotated[list[PenaltyType], Field(min_length=1, max_length=8)]
    penalty_content: Text | None = None
    fine: Money | None = None
    decided_on: date
    ban_start: date | None = None
    ban_end: date | None = None
    publication_end: date | None = None
    status: RecordStatus = RecordStatus.ACTIVE
    status_date: date | None = None
    # An appeal does not suspend the decision (Administrative Litigation Law Art. 56,
    # Administrative Reconsideration Law Art. 42): only an order does, from its date until the
    # day it is lifted.
    suspended_on: date | None = None
    suspension_lifted_on: date | None = None
    project: RecordId | None = None
    lot: RecordId | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.suspension_lifted_on is not None and self.suspended_on is None:
            raise PydanticCustomError(
                "suspension.order", "suspension_lifted_on needs the suspended_on of the order"
            )
        _period("suspended_on", self.decided_on, self.suspended_on)
        _period("suspension_lifted_on", self.suspended_on, self.suspension_lifted_on)
        if (self.ban_start is None) != (self.ban_end is None):
            raise PydanticCustomError("ban.period", "ban_start and ban_end come together")
        _period("ban_end", self.ban_start, self.ban_end)
        if self.ban_start is not None and self.ban_start < self.decided_on:
            raise PydanticCustomError("ban.period", "a ban cannot start before its decision")
        _period("publication_end", self.decided_on, self.publication_end)
        if self.status in (RecordStatus.REPAIRED, RecordStatus.OVERTURNED) and not self.status_date:
            raise PydanticCustomError(
                "status.date", f"status {self.status} needs the status_date it took effect"
            )
        _period("status_date", self.decided_on, self.status_date)
        return self


class ExternalListing(Provenance):
    """An entry on an external list. A source without codes gives only `subject_name`; such a
    listing is matched to organisations by name and a supervisor confirms the match."""

    type: Literal["external_listing"] = "external_listing"
    id: RecordId
    list: ExternalList
    subject: Uscc | None = None
    subject_person: IdNumber | None = None  # a natural person on the list (hashed on intake)
    subject_name: Name | None = None
    authority: Name
    reference: Short | None = None
    listed_on: date
    valid_until: date | None = None
    retracted_on: date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.subject is not None and self.subject_person is not None:
            raise PydanticCustomError("listing.subject", "give subject or subject_person, not both")
        if self.subject is None and self.subject_person is None and self.subject_name is None:
            raise PydanticCustomError(
                "listing.subject", "give subject (USCC), subject_person or subject_name"
            )
        _period("valid_until", self.listed_on, self.valid_until)
        _period("retracted_on", self.listed_on, self.retracted_on)
        return self


class Complaint(Provenance):
    type: Literal["complaint"] = "complaint"
    id: RecordId
    complainant: OrgKey
    lot: RecordId
    filed_on: date
    grounds: Text
    outcome: ComplaintOutcome = ComplaintOutcome.PENDING
    decided_on: date | None = None
    # The number of the decision on the complaint (投诉处理决定书文号); a violation and a
    # listing of the same decision count once with it.
    decision_number: Short | None = None


class Evaluation(Provenance):
    """A post-project rating of an agency, or a post-review rating of an expert."""

    type: Literal["evaluation"] = "evaluation"
    id: RecordId
    subject: PartyRef
    rater: OrgKey
    project: RecordId
    score: Annotated[int, Field(ge=0, le=100)]
    rated_on: date
    comment: Text | None = None


Record = Annotated[
    Organization
    | Person
    | Group
    | Tie
    | Project
    | Lot
    | Bid
    | Award
    | Contract
    | Review
    | Violation
    | ExternalListing
    | Complaint
    | Evaluation,
    Field(discriminator="type"),
]
RECORD_ADAPTER: TypeAdapter[Record] = TypeAdapter(Record)
RECORD_TYPES: tuple[str, ...] = tuple(kind.type for kind in KINDS)  # dependency order
