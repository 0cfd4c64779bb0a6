"""The exchange format: what other credit systems receive from the change feed and webhooks.

Defined once here; schema/exchange/*.schema.json are generated from these models (a test
checks they match) and every emitted record is validated against them. The penalty record
follows the national administrative-penalty disclosure fields (行政处罚信息公示); the table in
schema/exchange/README.md maps them field by field.

About a natural person the feed carries only what the disclosure rules publish: a penalised
person's name and masked identity number (credit/legal/texts.toml APL-48-DISCLOSURE,
NDRC-2019-527-PUBLICATION, ZJ-PENALTY-ONLINE-7, PIPL-13-PUBLISHED), and nothing that names an
expert whose grade changed (PIPL-25-NO-PUBLICATION): grades are not published penalties.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EXCHANGE_VERSION: Literal["1.0"] = "1.0"
SCHEMA_BASE = "https://credit.example/schema/exchange/v1"

ChangeKind = Literal[
    "VIOLATION_RECORDED",
    "VIOLATION_AMENDED",
    "VIOLATION_UNDER_APPEAL",
    "VIOLATION_REPAIRED",
    "VIOLATION_OVERTURNED",
    "VIOLATION_EXPIRED",
    "LISTING_ADDED",
    "LISTING_UPDATED",
    "LISTING_RETRACTED",
    "GRADE_CHANGED",
    "FLAG_CONFIRMED",
    "INSPECTION_PLAN_PUBLISHED",
    "INSPECTION_RESULT_PUBLISHED",
    "CHECK_LOG_ROOT",
]


class _Exchange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# What a subject of each kind does not carry, and the message (field: rule: text) if it does.
_NOT_CARRIED = {
    "person": ("uscc", "subject.uscc: person.no_uscc: a natural person has no USCC"),
    "organization": (
        "masked_id_number",
        "subject.masked_id_number: organization.no_id: not for organisations",
    ),
}


class Subject(_Exchange):
    """The party of a published record: an organisation by name and USCC; a natural person by
    name and masked identity number only (APL-48-DISCLOSURE, ZJ-PENALTY-ONLINE-7)."""

    name: str = Field(description="行政相对人名称 — name of the party")
    uscc: str | None = Field(
        None, description="统一社会信用代码 — USCC of an organisation (GB 32100-2015)"
    )
    masked_id_number: str | None = Field(
        None, description="证件号码（脱敏） — masked identity number of a natural person"
    )
    kind: Literal["organization", "person"]

    @model_validator(mode="after")
    def _a_person_has_no_uscc(self) -> Subject:
        field, message = _NOT_CARRIED[self.kind]
        if getattr(self, field) is not None:
            raise ValueError(message)
        return self


class PenaltyRecord(_Exchange):
    """An administrative penalty (a violation record) as published."""

    record_type: Literal["penalty"] = "penalty"
    record_id: str
    subject: Subject
    decision_number: str = Field(description="行政处罚决定书文号 — decision document number")
    violation_type: str = Field(description="违法行为类型 — violation type (our category code)")
    severity: Literal["GENERAL", "SERIOUS", "MAJOR"]
    legal_basis: str = Field(description="处罚依据 — legal basis")
    penalty_types: list[str] = Field(description="处罚类别 — penalty types")
    penalty_content: str | None = Field(None, description="处罚内容 — penalty content")
    fine_amount: str | None = Field(
        None, pattern=r"^\d+(\.\d{1,2})?$", description="罚款金额 — fine amount (decimal)"
    )
    fine_currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    decision_date: date = Field(description="处罚决定日期 — decision date")
    ban_start: date | None = Field(None, description="禁止参加政府采购活动起始日 — ban start")
    ban_end: date | None = Field(None, description="禁止参加政府采购活动截止日 — ban end")
    publication_end: date | None = Field(None, description="公示截止期 — publication end date")
    authority: str = Field(description="处罚机关 — deciding authority")
    status: Literal["ACTIVE", "UNDER_APPEAL", "REPAIRED", "OVERTURNED"]
    status_date: date | None = None
    version: int = Field(ge=1)
    source: str


class ListingRecord(_Exchange):
    """An entry on an external list (courts, tax, other regions) as we hold it."""

    record_type: Literal["listing"] = "listing"
    record_id: str
    subject: Subject | None
    subject_name: str | None
    list: str
    authority: str
    reference: str | None
    listed_on: date
    valid_until: date | None
    retracted_on: date | None
    version: int = Field(ge=1)
    source: str
    external_id: str | None


class GradeRecord(_Exchange):
    """A grade change. A natural person (an expert) is named by no field: only the subject's
    pseudonymous id (a salted hash) and its kind leave (PIPL-25-NO-PUBLICATION)."""

    record_type: Literal["grade"] = "grade"
    subject_id: str = Field(description="our id; for a natural person a pseudonym, never a name")
    subject_kind: Literal["organization", "person"]
    subject: Subject | None = Field(
        description="the graded organisation; null for a natural person, whose grade is not "
        "published (PIPL Art. 25)"
    )
    previous_grade: str | None
    grade: str
    score: str
    as_of: date
    policy_version: str

    @model_validator(mode="after")
    def _no_person_is_named(self) -> GradeRecord:
        named = self.subject.kind if self.subject is not None else None
        if self.subject_kind == "person" and named is not None:
            raise ValueError("subject: person.unpublished: an expert's grade names no person")
        if self.subject_kind == "organization" and named != "organization":
            raise ValueError("subject: organization.required: name the graded organisation")
        return self


class FlagRecord(_Exchange):
    record_type: Literal["flag"] = "flag"
    flag_id: str
    pattern: str
    legal_basis: str
    lot_id: str | None
    supplier_usccs: list[str]
    confidence: float
    reviewed_by: str
    reviewed_at: datetime


class InspectedTarget(_Exchange):
    inspection_id: str
    subject: Subject
    kind: Literal["agency", "supplier"]
    weight: str = Field(description="risk weight the target was drawn with (decimal)")
    forced: bool = Field(description="drawn by the coverage floor, not by chance")
    inspectors: list[str] = Field(description="ids of the inspectors drawn")
    status: Literal["PLANNED", "COMPLETED"]
    result: str | None = None
    findings: str | None = None
    completed_on: date | None = None


class InspectionPlanRecord(_Exchange):
    """A "double random, one public" inspection plan (双随机、一公开), with results as they come;
    the seed and algorithm let anyone redraw it from the published inputs."""

    record_type: Literal["inspection_plan"] = "inspection_plan"
    plan_id: str
    as_of: date
    seed: str
    algorithm: str
    targets: list[InspectedTarget]


class CheckLogRootRecord(_Exchange):
    """A signed tree head of the check-record log (RFC 6962 style, SM3, signed with SM2),
    with the consistency proof from the previous published head: anyone who keeps the heads
    can show that no filed check record was altered or removed."""

    record_type: Literal["check_log_root"] = "check_log_root"
    tree_size: int = Field(ge=0)
    root_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    timestamp: datetime
    algorithm: str
    key_id: str
    signature: str = Field(description="hex DER SM2 signature of the tree head's signed text")
    previous_tree_size: int | None = None
    previous_root_hash: str | None = None
    consistency_proof: list[str] = Field(
        description="RFC 6962 s. 2.1.2 proof that the previous head is a prefix of this one"
    )


class ChangeEnvelope(_Exchange):
    """One item of the change feed; `id` is stable, so a receiver can de-duplicate."""

    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    seq: int = Field(ge=1, description="gap-free, strictly increasing in commit order")
    kind: ChangeKind
    at: datetime
    exchange_version: Literal["1.0"] = EXCHANGE_VERSION
    record: (
        PenaltyRecord
        | ListingRecord
        | GradeRecord
        | FlagRecord
        | InspectionPlanRecord
        | CheckLogRootRecord
    ) = Field(discriminator="record_type")


EXCHANGE_MODELS: dict[str, type[BaseModel]] = {
    "change": ChangeEnvelope,
    "penalty": PenaltyRecord,
    "listing": ListingRecord,
    "grade": GradeRecord,
    "flag": FlagRecord,
    "inspection_plan": InspectionPlanRecord,
    "check_log_root": CheckLogRootRecord,
}


def json_schema(name: str) -> str:
    model = EXCHANGE_MODELS[name]
    document: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/{name}.schema.json",
        **model.model_json_schema(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
