"""What the public view shows, decided without I/O: which penalties and list entries are in
their publication period on a day, why one has left, and exactly which fields leave.

The fields are the national administrative-penalty disclosure fields of the exchange format
(credit/sync/exchange.py, schema/exchange/README.md). About a natural person: the name and the
masked identity number, nothing else (APL-48-DISCLOSURE, ZJ-PENALTY-ONLINE-7,
PIPL-13-PUBLISHED). A record leaves when its publication period ends (NDRC-2019-527-PUBLICATION,
at most three years when no end is recorded), when it is repaired (NDRC-58-REPAIR) or when it
is overturned (APL-48-DISCLOSURE: withdrawn, with the reason made public).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from credit.domain.errors import DomainError
from credit.domain.periods import period_end, window_first_day
from credit.sync.exchange import Subject

PUBLISHED_PERSON_BASIS = (
    "APL-48-DISCLOSURE",
    "NDRC-2019-527-PUBLICATION",
    "ZJ-PENALTY-ONLINE-7",
    "PIPL-13-PUBLISHED",
)
LIST_BASIS = ("CAIKU-2016-125-LISTS", "GPL-22-77-BAN")
DEFAULT_PUBLICATION_YEARS = 3  # NDRC-2019-527-PUBLICATION: the longest period, when none is set
BAN_TYPES = ("PROCUREMENT_BAN", "AGENCY_BAN", "REVIEW_BAN")
PUBLIC_LISTS = ("GP_SERIOUS_DISHONESTY",)
LIST_NAMES = ("penalty", "serious_dishonesty")
PAGE_SIZE = 20
MAX_PAGE = 500
MAX_QUERY = 100
WITHDRAWN_BASIS = {
    "publication_ended": ("NDRC-2019-527-PUBLICATION",),
    "repaired": ("NDRC-58-REPAIR",),
    "overturned": ("APL-48-DISCLOSURE",),
    "retracted": ("APL-48-DISCLOSURE",),
    "not_yet_published": ("APL-48-DISCLOSURE",),
}
Withdrawal = Literal[
    "publication_ended", "repaired", "overturned", "retracted", "not_yet_published"
]


class PublicInputError(DomainError):
    """A bad parameter of a public request: `field: rule: message`."""

    def __str__(self) -> str:
        return self.describe()


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublicSubject(_Public):
    """The party as the disclosure rules publish it."""

    kind: Literal["organization", "person"]
    name: str = Field(description="行政相对人名称 — name of the party")
    uscc: str | None = Field(None, description="统一社会信用代码 — USCC")
    masked_id_number: str | None = Field(None, description="证件号码（脱敏） — masked ID number")
    roles: list[Literal["supplier", "agency", "expert"]] = Field(
        default_factory=list, description="供应商、代理机构、评审专家 — roles in procurement"
    )


class PublicRecord(_Public):
    """One published penalty or serious-dishonesty list entry, with a stable id and URL."""

    id: str
    url: str
    kind: Literal["penalty", "listing"]
    lists: list[Literal["penalty", "serious_dishonesty"]]
    subject: PublicSubject
    decision_number: str | None = Field(None, description="行政处罚决定书文号 — decision number")
    violation_type: str | None = Field(None, description="违法行为类型 — violation type")
    severity: str | None = None
    legal_basis: str | None = Field(None, description="处罚依据 — legal basis")
    penalty_types: list[str] = Field(default_factory=list, description="处罚类别 — penalty types")
    penalty_content: str | None = Field(None, description="处罚内容 — penalty content")
    fine_amount: str | None = Field(None, description="罚款金额 — fine amount (yuan)")
    fine_currency: str | None = None
    decision_date: date | None = Field(None, description="处罚决定日期 — decision date")
    ban_start: date | None = Field(None, description="禁止参加政府采购活动起始日 — ban start")
    ban_end: date | None = Field(None, description="禁止参加政府采购活动截止日 — ban end")
    publication_end: date | None = Field(None, description="公示截止期 — publication end")
    authority: str = Field(description="处罚机关 / 列入机关 — deciding or listing authority")
    status: Literal["ACTIVE", "UNDER_APPEAL"]
    list_name: str | None = Field(None, description="名单 — the list (list entries)")
    reference: str | None = Field(None, description="列入文号 — listing reference")
    listed_on: date | None = Field(None, description="列入日期 — listed on")
    valid_until: date | None = Field(None, description="移出日期 — listed until")


class Visibility(_Public):
    public: bool
    listed: bool
    withdrawn: Withdrawal | None = None
    since: date | None = None


def default_from(today: date) -> date:
    """The earliest decision date whose default publication period (no end recorded) still
    runs on `today`."""
    return window_first_day(today, DEFAULT_PUBLICATION_YEARS)


def publication_end(record: dict[str, Any]) -> date | None:
    """The recorded end, or the longest period the NDRC notice allows from the decision."""
    if record.get("publication_end") is not None:
        return _day(record["publication_end"])
    decided = record.get("decided_on")
    return None if decided is None else period_end(_day(decided), 12 * DEFAULT_PUBLICATION_YEARS)


def ban_in_force(record: dict[str, Any], today: date) -> bool:
    if record.get("ban_start") is None or record.get("ban_end") is None:
        return False
    if not any(t in BAN_TYPES for t in record.get("penalty_types") or ()):
        return False
    return _day(record["ban_start"]) <= today <= _day(record["ban_end"])


def visibility(record: dict[str, Any], labels: Sequence[str], today: date) -> Visibility:
    """Whether a penalty or list entry is in the public view on `today`, and if not, why."""
    if "ExternalListing" in labels:
        if record.get("list") not in PUBLIC_LISTS:
            return Visibility(public=False, listed=False)
        retracted = record.get("retracted_on")
        if retracted is not None and _day(retracted) <= today:
            return Visibility(
                public=False, listed=False, withdrawn="retracted", since=_day(retracted)
            )
        if _day(record["listed_on"]) > today:
            return Visibility(public=False, listed=False, withdrawn="not_yet_published")
        until = record.get("valid_until")
        if until is not None and _day(until) < today:
            return Visibility(
                public=False, listed=False, withdrawn="publication_ended", since=_day(until)
            )
        return Visibility(public=True, listed=True)
    status = record.get("status")
    if status in ("REPAIRED", "OVERTURNED"):
        since = record.get("status_date")
        return Visibility(
            public=False,
            listed=False,
            withdrawn="repaired" if status == "REPAIRED" else "overturned",
            since=None if since is None else _day(since),
        )
    if _day(record["decided_on"]) > today:
        return Visibility(public=False, listed=False, withdrawn="not_yet_published")
    listed = ban_in_force(record, today)
    end = publication_end(record)
    if listed or (end is not None and end >= today):
        return Visibility(public=True, listed=listed)
    return Visibility(public=False, listed=False, withdrawn="publication_ended", since=end)


def subject(
    props: dict[str, Any] | None, labels: Sequence[str] | None, fallback: str | None
) -> PublicSubject:
    """The party: an organisation by name and USCC; a person by name and masked number only
    (validated by the exchange format's Subject); a list entry not matched to anyone by the name
    the list gives."""
    labels = labels or ()
    roles: list[Literal["supplier", "agency", "expert"]] = []
    if "Supplier" in labels:
        roles.append("supplier")
    if "Agency" in labels:
        roles.append("agency")
    if "Expert" in labels:
        roles.append("expert")
    if not props or not props.get("uid"):
        return PublicSubject(kind="organization", name=fallback or "", roles=roles)
    if "Person" in labels:
        checked = Subject(
            name=str(props.get("name") or ""),
            masked_id_number=props.get("id_masked"),
            kind="person",
        )
    else:
        checked = Subject(
            name=str(props.get("name") or fallback or ""),
            uscc=props.get("uscc"),
            kind="organization",
        )
    return PublicSubject(
        kind=checked.kind,
        name=checked.name,
        uscc=checked.uscc,
        masked_id_number=checked.masked_id_number,
        roles=roles,
    )


def record_url(uid: str) -> str:
    return f"/public/records/{uid}"


def to_public(
    record: dict[str, Any],
    labels: Sequence[str],
    subject_props: dict[str, Any] | None,
    subject_labels: Sequence[str] | None,
    listed: bool,
) -> PublicRecord:
    """The published fields of a record in the public view, and nothing else of it."""
    uid = str(record["uid"])
    party = subject(subject_props, subject_labels, record.get("subject_name"))
    if "ExternalListing" in labels:
        return PublicRecord(
            id=uid,
            url=record_url(uid),
            kind="listing",
            lists=["serious_dishonesty"],
            subject=party,
            authority=str(record["authority"]),
            status="ACTIVE",
            list_name=str(record["list"]),
            reference=record.get("reference"),
            listed_on=_day(record["listed_on"]),
            valid_until=_opt_day(record.get("valid_until")),
            decision_number=record.get("reference"),
            decision_date=_day(record["listed_on"]),
            publication_end=_opt_day(record.get("valid_until")),
        )
    return PublicRecord(
        id=uid,
        url=record_url(uid),
        kind="penalty",
        lists=["penalty", "serious_dishonesty"] if listed else ["penalty"],
        subject=party,
        decision_number=str(record["decision_number"]),
        violation_type=str(record["category"]),
        severity=str(record["severity"]),
        legal_basis=str(record["basis"]),
        penalty_types=[str(t) for t in record.get("penalty_types") or ()],
        penalty_content=record.get("penalty_content"),
        fine_amount=record.get("fine_exact"),
        fine_currency=record.get("fine_currency"),
        decision_date=_day(record["decided_on"]),
        ban_start=_opt_day(record.get("ban_start")),
        ban_end=_opt_day(record.get("ban_end")),
        publication_end=publication_end(record),
        authority=str(record["authority"]),
        status="UNDER_APPEAL" if record.get("status") == "UNDER_APPEAL" else "ACTIVE",
    )


def search_params(
    q: str | None, list_name: str | None, page: str | int | None
) -> tuple[str | None, str | None, int]:
    """The checked search parameters: a name part or USCC, a list, a page from 1."""
    text = (q or "").strip()
    if len(text) > MAX_QUERY:
        raise PublicInputError("q", "length", f"at most {MAX_QUERY} characters")
    if list_name not in (None, "", *LIST_NAMES):
        raise PublicInputError("list", "enum", f"one of {', '.join(LIST_NAMES)}")
    try:
        number = 1 if page in (None, "") else int(page)
    except ValueError:
        raise PublicInputError("page", "integer", "a whole number from 1") from None
    if not 1 <= number <= MAX_PAGE:
        raise PublicInputError("page", "range", f"from 1 to {MAX_PAGE}")
    return (text.lower() or None), (list_name or None), number


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if hasattr(value, "to_native"):
        native: date = value.to_native()
        return native
    return date.fromisoformat(str(value))


def _opt_day(value: Any) -> date | None:
    return None if value is None else _day(value)


class RepairWindow(_Public):
    """When a record can be repaired (NDRC-58-REPAIR): not before the minimum publication
    period of its severity has been served (the policy's min_repair_months, counted as
    CIVIL-201-202); a repair ends the publication, not a ban."""

    record_id: str
    status: str
    possible_from: date | None
    state: Literal["possible", "not_yet", "repaired", "overturned"]


def repair_window(record: dict[str, Any], min_months: dict[Any, int], today: date) -> RepairWindow:
    status = str(record.get("status") or "ACTIVE")
    uid = str(record["uid"])
    if status == "OVERTURNED":
        return RepairWindow(record_id=uid, status=status, possible_from=None, state="overturned")
    months = min_months.get(record.get("severity"), 0)
    possible = period_end(_day(record["decided_on"]), months) + timedelta(days=1)
    if status == "REPAIRED":
        return RepairWindow(record_id=uid, status=status, possible_from=possible, state="repaired")
    state: Literal["possible", "not_yet"] = "possible" if today >= possible else "not_yet"
    return RepairWindow(record_id=uid, status=status, possible_from=possible, state=state)
