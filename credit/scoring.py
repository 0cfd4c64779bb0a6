"""Credit scores for suppliers, agencies and experts: pure, as of a date, explainable.

A score is the policy's base plus one contribution per record that counts on the as-of date,
clamped to the policy's caps; the grade comes from the bands and may be capped by network
rules. Everything is computed from what was known on the as-of date (records received later,
and appeals, repairs or overturns dated later, are ignored), so audits and appeals can ask
"what did we know then?" and get the same answer every time.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Literal

from credit.decisions import contributions_once
from credit.domain.records import (
    ComplaintOutcome,
    ExternalList,
    PenaltyType,
    RecordStatus,
    Severity,
    ViolationCategory,
)
from credit.policy import NetworkRule, Policy, SubjectPolicy, SubjectType

RecordKind = Literal["violation", "listing", "contract", "evaluation", "complaint"]
LinkKind = Literal["SHARED_LEGAL_REP", "SAME_CONTROLLER", "CONTROLLED_BY", "CONTROLS"]

CATEGORIES: dict[RecordKind, frozenset[str]] = {
    "violation": frozenset(ViolationCategory),
    "listing": frozenset(ExternalList),
    "contract": frozenset({"CONTRACT_ACCEPTED", "CONTRACT_FAILED"}),
    "evaluation": frozenset({"EVALUATION"}),
    "complaint": frozenset(ComplaintOutcome),
}

# Used when a record carries no legal basis of its own.
_KIND_BASIS: dict[RecordKind, str] = {
    "violation": "行政处罚决定 — administrative penalty decision",
    "listing": "外部信用名单（财库〔2016〕125号） — external credit list (Caiku [2016] No. 125)",
    "contract": "政府采购合同履约验收结果 — government-procurement contract acceptance result",
    "evaluation": "项目结束后的履职评价 — post-project performance evaluation",
    "complaint": (
        "《中华人民共和国政府采购法实施条例》第七十三条：捏造事实、提供虚假材料投诉 — "
        "Implementing Regulations Art. 73: false or malicious complaint"
    ),
}

_CENT = Decimal("0.01")
# Fixed arithmetic context, so a caller's decimal settings cannot change a score.
_DECIMAL = Context(prec=28, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class CreditRecord:
    """One credit-relevant record as scoring and eligibility read it, built from a graph node.

    `decided_on` is the decision, listing, acceptance, rating or complaint-decision date.
    """

    id: str
    kind: RecordKind
    category: str
    decided_on: date
    severity: Severity | None = None
    penalty_types: tuple[PenaltyType, ...] = ()
    fine_amount: Decimal | None = None
    fine_currency: str | None = None
    ban_start: date | None = None
    ban_end: date | None = None
    publication_end: date | None = None
    status: RecordStatus = RecordStatus.ACTIVE
    status_date: date | None = None
    valid_until: date | None = None
    retracted_on: date | None = None
    score: int | None = None
    basis: str = ""
    decision_number: str = ""
    authority: str = ""
    received_at: datetime | None = None

    def __post_init__(self) -> None:
        """Refuse a record the rules could only misread, naming the record."""
        if self.category not in CATEGORIES[self.kind]:
            raise ValueError(f"{self.id}: {self.category!r} is not a {self.kind} category")
        if self.kind == "violation" and self.severity is None:
            raise ValueError(f"{self.id}: a violation needs a severity")
        if self.kind == "evaluation" and self.score is None:
            raise ValueError(f"{self.id}: an evaluation needs a score")
        if self.status in (RecordStatus.REPAIRED, RecordStatus.OVERTURNED) and not self.status_date:
            raise ValueError(f"{self.id}: status {self.status} needs its status_date")


@dataclass(frozen=True)
class NetworkLink:
    """A tie to another supplier, with that supplier's records (for network rules)."""

    kind: LinkKind
    other_id: str
    other_name: str
    via_id: str
    other_records: tuple[CreditRecord, ...]


@dataclass(frozen=True)
class Contribution:
    record_id: str
    points: Decimal
    basis: str
    counted_from: date
    counted_until: date | None
    reason: str


@dataclass(frozen=True)
class Score:
    subject_type: SubjectType
    score: Decimal
    grade: str
    as_of: date
    policy_version: str
    contributions: tuple[Contribution, ...]
    capped_by: tuple[str, ...]
    base: Decimal


# --- what was known, and in force, on a date ------------------------------------------------


def known(record: CreditRecord, as_of: date) -> bool:
    """Decided by `as_of` and received by the end of that day (in the timestamp's own zone)."""
    received = record.received_at is None or record.received_at.date() <= as_of
    return record.decided_on <= as_of and received


def status_on(record: CreditRecord, as_of: date) -> RecordStatus:
    """The status known on `as_of`: a status change dated later had not happened yet."""
    if record.status_date is not None and record.status_date > as_of:
        return RecordStatus.ACTIVE
    return record.status


def withdrawn(record: CreditRecord, as_of: date) -> bool:
    """Overturned or retracted by `as_of`: from then on it counts for nothing."""
    retracted = record.retracted_on is not None and record.retracted_on <= as_of
    return retracted or status_on(record, as_of) is RecordStatus.OVERTURNED


def ban_in_force(record: CreditRecord, as_of: date) -> bool:
    """A known procurement ban covering `as_of`, both end days included.

    An appeal does not suspend a ban (Administrative Litigation Law Art. 56); a repair ends
    publication, not the penalty; only an overturn lifts it.
    """
    return (
        PenaltyType.PROCUREMENT_BAN in record.penalty_types
        and record.ban_start is not None
        and record.ban_end is not None
        and record.ban_start <= as_of <= record.ban_end
        and known(record, as_of)
        and not withdrawn(record, as_of)
    )


def active_bans(records: Iterable[CreditRecord], as_of: date) -> tuple[CreditRecord, ...]:
    return tuple(sorted((r for r in records if ban_in_force(r, as_of)), key=lambda r: r.id))


@dataclass(frozen=True)
class NetworkHit:
    rule_name: str
    rule: NetworkRule
    link: NetworkLink
    bans: tuple[CreditRecord, ...]


def network_hits(
    rules: SubjectPolicy, network: Iterable[NetworkLink], as_of: date
) -> Iterator[NetworkHit]:
    """Links to a supplier under an active ban that a policy network rule speaks to."""
    for link in network:
        found = rules.network.rule_for(link.kind)
        bans = active_bans(link.other_records, as_of)
        if found is not None and bans:
            yield NetworkHit(found[0], found[1], link, bans)


def shift_months(day: date, months: int) -> date:
    """The same calendar day `months` later (or earlier), or the month's last day if there is
    none, as Civil Code Art. 202 ends a period that lacks a corresponding day."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last))


def last_day_of(start: date, months: int) -> date:
    """The last day of a period of `months` that starts on (and includes) `start`."""
    return shift_months(start, months) - timedelta(days=1)


# --- scores ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rating:
    points: Decimal
    label: str
    natural_end: date | None
    cap: str | None = None


@dataclass(frozen=True)
class _Counted:
    record: CreditRecord
    points: Decimal
    until: date | None
    reason: str
    cap: str | None


def compute_score(
    subject_type: SubjectType,
    records: Sequence[CreditRecord],
    as_of: date,
    policy: Policy,
    network: Sequence[NetworkLink] = (),
) -> Score:
    """Score a subject as of a date; base plus the contributions, clamped, equals the score."""
    rules = policy.rules_for(subject_type)
    counted = sorted(
        (c for r in records if (c := _count(r, rules, as_of)) is not None),
        key=lambda c: (c.record.decided_on, c.record.id),
    )
    caps = {
        "contracts.accepted_cap": rules.contracts.accepted_cap,
        "evaluations.good_cap": rules.evaluations.good_cap,
    }
    contributions = []
    for item in counted:
        points, reason = item.points, item.reason
        if item.cap is not None:
            points = _cents(min(points, caps[item.cap]))
            caps[item.cap] -= points
            if points < item.points:
                reason += f", {subject_type}.{item.cap} reached"
        contributions.append(
            Contribution(
                record_id=item.record.id,
                points=points,
                basis=item.record.basis or _KIND_BASIS[item.record.kind],
                counted_from=item.record.decided_on,
                counted_until=item.until,
                reason=reason,
            )
        )
    contributions = contributions_once(contributions, records)  # one decision counts once
    base = _cents(rules.base)
    total = base + sum((c.points for c in contributions), Decimal(0))
    score = _cents(min(max(total, rules.min), rules.max))
    capped_by = {f"{subject_type}.min"} if total < rules.min else set()
    if total > rules.max:
        capped_by.add(f"{subject_type}.max")
    grade = rules.grade_for(score)
    for hit in network_hits(rules, network, as_of):
        if hit.rule.grade_cap is not None:
            grade = rules.worse_grade(grade, hit.rule.grade_cap)
            capped_by.add(f"{subject_type}.network.{hit.rule_name}")
    return Score(
        subject_type=subject_type,
        score=score,
        grade=grade,
        as_of=as_of,
        policy_version=policy.version,
        contributions=tuple(contributions),
        capped_by=tuple(sorted(capped_by)),
        base=base,
    )


def _count(record: CreditRecord, rules: SubjectPolicy, as_of: date) -> _Counted | None:
    if not known(record, as_of) or withdrawn(record, as_of):
        return None
    rating = _rate(record, rules)
    if rating is None or rating.points == 0:
        return None
    until, notes = rating.natural_end, []
    repaired = _repair_effective(record, rules, as_of)
    if repaired is not None:
        stop = repaired - timedelta(days=1)
        until = stop if until is None else min(until, stop)
        notes.append(f"repaired, counts until {until.isoformat()}")
    if until is not None and as_of > until:
        return None
    weight, how = _weight(rules, record.decided_on, rating.natural_end, as_of)
    return _Counted(
        record=record,
        points=_cents(_DECIMAL.multiply(rating.points, weight)),
        until=until,
        reason=", ".join([rating.label, how, *notes]),
        cap=rating.cap,
    )


def _rate(record: CreditRecord, rules: SubjectPolicy) -> _Rating | None:
    """The record's full points, what it is, and when it would stop counting on its own."""
    if record.kind == "violation" and record.severity is not None:
        category, severity = ViolationCategory(record.category), record.severity
        end = record.publication_end or last_day_of(
            record.decided_on, rules.publication_months[category][severity]
        )
        label = f"{severity.value.lower()} {category.value}"
        return _Rating(rules.points[category][severity], label, end)
    if record.kind == "listing":
        listing = ExternalList(record.category)
        return _Rating(rules.listings[listing], f"listed on {listing.value}", record.valid_until)
    if record.kind == "contract":
        end = last_day_of(record.decided_on, rules.contracts.months)
        if record.category == "CONTRACT_ACCEPTED":
            return _Rating(
                rules.contracts.accepted, "contract accepted", end, "contracts.accepted_cap"
            )
        return _Rating(rules.contracts.failed, "contract failed acceptance", end)
    if record.kind == "evaluation" and record.score is not None:
        ev = rules.evaluations
        end = last_day_of(record.decided_on, ev.months)
        if record.score >= ev.good_from:
            return _Rating(ev.good, f"evaluation {record.score}", end, "evaluations.good_cap")
        if record.score < ev.poor_below:
            return _Rating(ev.poor, f"evaluation {record.score}", end)
        return None
    if record.kind == "complaint" and record.category == ComplaintOutcome.FALSE_OR_MALICIOUS:
        end = last_day_of(record.decided_on, rules.complaints.months)
        return _Rating(rules.complaints.false_or_malicious, "false or malicious complaint", end)
    return None


def _repair_effective(record: CreditRecord, rules: SubjectPolicy, as_of: date) -> date | None:
    """The day a repair known on `as_of` stops the record counting: its status_date, but never
    before the minimum publication period has been served."""
    if status_on(record, as_of) is not RecordStatus.REPAIRED or record.status_date is None:
        return None
    if record.severity is None:
        return record.status_date
    served = shift_months(record.decided_on, rules.min_repair_months[record.severity])
    return max(record.status_date, served)


def _weight(
    rules: SubjectPolicy, start: date, end: date | None, as_of: date
) -> tuple[Decimal, str]:
    if rules.weight == "step":
        return Decimal(1), "full weight"
    if end is None:
        return Decimal(1), "full weight (no end date to decay towards)"
    total = (end - start).days + 1
    elapsed = (as_of - start).days
    weight = _DECIMAL.divide(Decimal(total - elapsed), Decimal(total))
    return weight, f"linear decay {elapsed * 100 // total}% elapsed"


def _cents(value: Decimal) -> Decimal:
    """Round to cents; a zero is always +0.00 so equal scores print equally."""
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_EVEN)
    return rounded.copy_abs() if rounded.is_zero() else rounded


# --- canonical form -------------------------------------------------------------------------


def canonical_json(obj: object) -> str:
    """One exact text per value (sorted keys, no spaces, ISO dates, decimals as strings), so
    explanations and check records can be hashed and compared byte for byte."""
    return json.dumps(
        obj,
        default=_plain,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def _plain(obj: object) -> object:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in fields(obj)}
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return format(obj, "f")
    raise TypeError(f"canonical_json cannot encode {type(obj).__name__} deterministically")
