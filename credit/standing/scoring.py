"""Credit scores for suppliers, agencies and experts: pure, as of a date, explainable.

A score is the policy's base plus one contribution per record that counts on the as-of date,
clamped to the policy's caps; the grade comes from the bands and is capped while a procurement
ban or a three-list listing is in force, and by network rules. `as_of` is the legal state on
that day from every record known now; `known_at` narrows it to what had been received (and
which status changes had been recorded) by an instant, to reproduce a past answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Literal

from credit.domain.periods import day_before, days_between, period_end, shift_months
from credit.domain.records import (
    ComplaintOutcome,
    ExternalList,
    PenaltyType,
    RecordStatus,
    Severity,
    ViolationCategory,
)
from credit.policy import NetworkRule, Policy, SubjectPolicy, SubjectType
from credit.standing.decisions import contributions_once

__all__ = ["shift_months"]  # re-exported: callers read month arithmetic from here too

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
    received_at: datetime | None = None  # first received
    status_recorded_at: datetime | None = None  # when the current lifecycle state was recorded
    suspended_on: date | None = None  # execution suspended by order (appeal), from this day
    suspension_lifted_on: date | None = None  # ... until the day before this one

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
        if self.suspension_lifted_on is not None and (
            self.suspended_on is None or self.suspension_lifted_on < self.suspended_on
        ):
            raise ValueError(f"{self.id}: a suspension is lifted on or after its order")


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
    known_at: datetime | None = None


# --- what was in force on a date, from what was known by an instant -------------------------
#
# `as_of` is the day whose legal state is asked for ("was the winner barred when it won?"): every
# record received so far counts, backfilled ones included. `known_at`, when given, narrows that
# to what had been received by that instant, and to the status changes recorded by then, to
# reproduce what a check answered at the time (the filed check record keeps both).

# The three lists Caiku [2016] No. 125 makes a purchaser refuse (and that cap a grade).
THREE_LISTS = frozenset(
    {
        ExternalList.COURT_DISHONEST_DEBTOR,
        ExternalList.MAJOR_TAX_VIOLATION,
        ExternalList.GP_SERIOUS_DISHONESTY,
    }
)
MAX_BAN_MONTHS = 36  # Law Art. 77: a ban lasts 1 to 3 years


def received(record: CreditRecord, known_at: datetime | None) -> bool:
    """Received by `known_at` (None: everything received so far counts)."""
    return known_at is None or record.received_at is None or record.received_at <= known_at


def known(record: CreditRecord, as_of: date, known_at: datetime | None = None) -> bool:
    """Decided by `as_of` and received by `known_at`; a record received after `as_of` still
    tells the legal state of `as_of`."""
    return record.decided_on <= as_of and received(record, known_at)


def _recorded(record: CreditRecord, known_at: datetime | None) -> bool:
    """Whether the record's current lifecycle state (status, retraction, suspension) had been
    recorded by `known_at`."""
    at = record.status_recorded_at
    return known_at is None or at is None or at <= known_at


def status_on(record: CreditRecord, as_of: date, known_at: datetime | None = None) -> RecordStatus:
    """The status on `as_of`: a change dated later, or recorded after `known_at`, had not
    happened yet (a record starts ACTIVE)."""
    if record.status_date is not None and record.status_date > as_of:
        return RecordStatus.ACTIVE
    if not _recorded(record, known_at):
        return RecordStatus.ACTIVE
    return record.status


def withdrawn(record: CreditRecord, as_of: date, known_at: datetime | None = None) -> bool:
    """Overturned or retracted by `as_of`: from then on it counts for nothing."""
    retracted = (
        record.retracted_on is not None
        and record.retracted_on <= as_of
        and _recorded(record, known_at)
    )
    return retracted or status_on(record, as_of, known_at) is RecordStatus.OVERTURNED


def in_effect(record: CreditRecord, as_of: date, known_at: datetime | None = None) -> bool:
    """Known and not withdrawn on `as_of`."""
    return known(record, as_of, known_at) and not withdrawn(record, as_of, known_at)


def suspended(record: CreditRecord, as_of: date, known_at: datetime | None = None) -> bool:
    """Execution suspended by order on `as_of` (from `suspended_on` until the day before
    `suspension_lifted_on`). Only an order suspends: an appeal alone does not (ALL-56, ARL-42)."""
    start, lifted = record.suspended_on, record.suspension_lifted_on
    return (
        start is not None
        and start <= as_of
        and (lifted is None or as_of < lifted)
        and _recorded(record, known_at)
    )


def criminal_not_final(record: CreditRecord, as_of: date, known_at: datetime | None = None) -> bool:
    """A criminal judgment under appeal is not yet in legal force (CPL-259), so it is not yet
    a criminal penalty."""
    criminal = (
        PenaltyType.CRIMINAL_PENALTY in record.penalty_types
        or record.category == ViolationCategory.CRIMINAL_OFFENCE
    )
    return criminal and status_on(record, as_of, known_at) is RecordStatus.UNDER_APPEAL


@dataclass(frozen=True)
class BanPeriod:
    """A procurement ban's days, both included. A missing start is read as the decision day
    (a penalty takes effect with its decision); a missing end as the 3 years a ban lasts at
    most, and then only a review can say whether it still runs."""

    start: date
    end: date
    end_recorded: bool


def ban_period(record: CreditRecord) -> BanPeriod | None:
    if PenaltyType.PROCUREMENT_BAN not in record.penalty_types:
        return None
    start = record.ban_start or record.decided_on
    if record.ban_end is not None:
        return BanPeriod(start, record.ban_end, True)
    return BanPeriod(start, period_end(start, MAX_BAN_MONTHS), False)


def ban_in_force(record: CreditRecord, as_of: date, known_at: datetime | None = None) -> bool:
    """A procurement ban with a known end covering `as_of`, both end days included.

    An appeal does not suspend a ban (Administrative Litigation Law Art. 56); a suspension
    order does, while it lasts; a repair ends publication, not the penalty; only an overturn
    lifts it.
    """
    period = ban_period(record)
    return (
        period is not None
        and period.end_recorded
        and period.start <= as_of <= period.end
        and in_effect(record, as_of, known_at)
        and not suspended(record, as_of, known_at)
    )


def listed_on_three_lists(
    record: CreditRecord, as_of: date, known_at: datetime | None = None
) -> bool:
    """On one of the three lists on `as_of`: through `valid_until`, until retracted or
    repaired (taken off the list)."""
    return (
        record.kind == "listing"
        and record.category in THREE_LISTS
        and (record.valid_until is None or as_of <= record.valid_until)
        and in_effect(record, as_of, known_at)
        and status_on(record, as_of, known_at) is not RecordStatus.REPAIRED
    )


def active_bans(
    records: Iterable[CreditRecord], as_of: date, known_at: datetime | None = None
) -> tuple[CreditRecord, ...]:
    return tuple(
        sorted((r for r in records if ban_in_force(r, as_of, known_at)), key=lambda r: r.id)
    )


@dataclass(frozen=True)
class NetworkHit:
    rule_name: str
    rule: NetworkRule
    link: NetworkLink
    bans: tuple[CreditRecord, ...]


def network_hits(
    rules: SubjectPolicy,
    network: Iterable[NetworkLink],
    as_of: date,
    known_at: datetime | None = None,
) -> Iterator[NetworkHit]:
    """Links to a supplier under an active ban that a policy network rule speaks to."""
    for link in network:
        found = rules.network.rule_for(link.kind)
        bans = active_bans(link.other_records, as_of, known_at)
        if found is not None and bans:
            yield NetworkHit(found[0], found[1], link, bans)


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
    known_at: datetime | None = None,
) -> Score:
    """Score a subject as of a date; base plus the contributions, clamped, equals the score."""
    rules = policy.rules_for(subject_type)
    counted = sorted(
        (c for r in records if (c := _count(r, rules, as_of, known_at)) is not None),
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
    if any(_restricts(r, as_of, known_at) for r in records):
        # BRIEF 5: while a ban or a three-list listing is in force the grade is capped, and no
        # positive record lifts it; a repair ends the record's points, not the ban.
        grade = rules.worse_grade(grade, rules.restricted_grade)
        capped_by.add(f"{subject_type}.ban_grade_cap")
    for hit in network_hits(rules, network, as_of, known_at):
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
        known_at=known_at,
    )


def _restricts(record: CreditRecord, as_of: date, known_at: datetime | None) -> bool:
    return ban_in_force(record, as_of, known_at) or listed_on_three_lists(record, as_of, known_at)


def _count(
    record: CreditRecord, rules: SubjectPolicy, as_of: date, known_at: datetime | None
) -> _Counted | None:
    if not in_effect(record, as_of, known_at) or criminal_not_final(record, as_of, known_at):
        return None
    rating = _rate(record, rules)
    if rating is None or rating.points == 0:
        return None
    natural_end, full_through = rating.natural_end, _full_through(record)
    if natural_end is not None and full_through is not None:
        natural_end = max(natural_end, full_through)  # counts at least until its ban ends
    until, notes = natural_end, []
    repaired = _repair_effective(record, rules, as_of, known_at)
    if repaired is not None:
        stop = day_before(repaired)
        until = stop if until is None else min(until, stop)
        notes.append(f"repaired, counts until {until.isoformat()}")
    if until is not None and as_of > until:
        return None
    weight, how = _weight(rules, record.decided_on, natural_end, as_of, full_through)
    return _Counted(
        record=record,
        points=_cents(_DECIMAL.multiply(rating.points, weight)),
        until=until,
        reason=", ".join([rating.label, how, *notes]),
        cap=rating.cap,
    )


def _full_through(record: CreditRecord) -> date | None:
    """The last day a record restricts its subject (a ban's end, a three-list listing's
    `valid_until`): it counts at full weight until then."""
    period = ban_period(record)
    if period is not None and period.end_recorded:
        return period.end
    if record.kind == "listing" and record.category in THREE_LISTS:
        return record.valid_until
    return None


def _rate(record: CreditRecord, rules: SubjectPolicy) -> _Rating | None:
    """The record's full points, what it is, and when it would stop counting on its own."""
    if record.kind == "violation" and record.severity is not None:
        category, severity = ViolationCategory(record.category), record.severity
        end = record.publication_end or period_end(
            record.decided_on, rules.publication_months[category][severity]
        )
        label = f"{severity.value.lower()} {category.value}"
        return _Rating(rules.points[category][severity], label, end)
    if record.kind == "listing":
        listing = ExternalList(record.category)
        return _Rating(rules.listings[listing], f"listed on {listing.value}", record.valid_until)
    if record.kind == "contract":
        end = period_end(record.decided_on, rules.contracts.months)
        if record.category == "CONTRACT_ACCEPTED":
            return _Rating(
                rules.contracts.accepted, "contract accepted", end, "contracts.accepted_cap"
            )
        return _Rating(rules.contracts.failed, "contract failed acceptance", end)
    if record.kind == "evaluation" and record.score is not None:
        ev = rules.evaluations
        end = period_end(record.decided_on, ev.months)
        if record.score >= ev.good_from:
            return _Rating(ev.good, f"evaluation {record.score}", end, "evaluations.good_cap")
        if record.score < ev.poor_below:
            return _Rating(ev.poor, f"evaluation {record.score}", end)
        return None
    if record.kind == "complaint" and record.category == ComplaintOutcome.FALSE_OR_MALICIOUS:
        end = period_end(record.decided_on, rules.complaints.months)
        return _Rating(rules.complaints.false_or_malicious, "false or malicious complaint", end)
    return None


def _repair_effective(
    record: CreditRecord, rules: SubjectPolicy, as_of: date, known_at: datetime | None
) -> date | None:
    """The day a repair known on `as_of` stops the record counting: its status_date, but never
    before the minimum publication period (counted as CIVIL-201-202) has been served."""
    if status_on(record, as_of, known_at) is not RecordStatus.REPAIRED:
        return None
    if record.status_date is None:
        return None
    if record.severity is None:
        return record.status_date
    served = period_end(record.decided_on, rules.min_repair_months[record.severity])
    return max(record.status_date, served + timedelta(days=1))


def _weight(
    rules: SubjectPolicy, start: date, end: date | None, as_of: date, full_through: date | None
) -> tuple[Decimal, str]:
    """Step: full weight. Linear: full weight while the record restricts its subject, then
    decaying to (almost) 0 on the last day it counts."""
    if rules.weight == "step":
        return Decimal(1), "full weight"
    if end is None:
        return Decimal(1), "full weight (no end date to decay towards)"
    if full_through is not None:
        if as_of <= full_through:
            return Decimal(1), f"full weight while in force (through {full_through.isoformat()})"
        start = full_through + timedelta(days=1)
    total = days_between(start, end)
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
