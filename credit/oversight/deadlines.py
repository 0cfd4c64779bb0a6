"""Statutory deadlines of a procurement challenge and complaint (MOF Order No. 94 of 2017,
《政府采购质疑和投诉办法》, in force 2018-03-01), each rule citing its text by catalogue id.

Counting follows the Order's own Art. 42 (the same as Civil Code Art. 201): the day a period
starts is not counted, so "within N working days of X" ends on the N-th working day after X; a
period in days whose last day is a holiday ends on the next working day. A step done on its due
day is on time; on its due day an open step is DUE, from the day after OVERDUE. Time in transit
does not count (Art. 42): a challenge or complaint is in time by the day it was sent.

Working days come from the `holidays` package's China calendar, which knows the State Council's
annual holiday notice including make-up working weekends (调休上班); a year the notice has not yet
covered counts plain weekdays.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from credit.domain.errors import DomainError
from credit.legal import text


@lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year)


def is_working_day(day: date) -> bool:
    return bool(_calendar(day.year).is_working_day(day))


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (start not counted)."""
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def add_days(start: date, n: int) -> date:
    """The last day of a period of n days after `start` (start not counted), moved to the next
    working day when it falls on a holiday or rest day (Order No. 94 Art. 42)."""
    day = start + timedelta(days=n)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


class Unit(StrEnum):
    WORKING_DAYS = "WORKING_DAYS"
    DAYS = "DAYS"


class Step(StrEnum):
    CHALLENGE_FILING = "CHALLENGE_FILING"
    CHALLENGE_REPLY = "CHALLENGE_REPLY"
    COMPLAINT_FILING = "COMPLAINT_FILING"
    ACCEPTANCE_REVIEW = "ACCEPTANCE_REVIEW"
    RESPONDENT_NOTICE = "RESPONDENT_NOTICE"
    RESPONDENT_REPLY = "RESPONDENT_REPLY"
    DECISION = "DECISION"
    PROCUREMENT_SUSPENSION = "PROCUREMENT_SUSPENSION"


class StepState(StrEnum):
    DONE = "DONE"
    DONE_LATE = "DONE_LATE"
    DUE = "DUE"
    OVERDUE = "OVERDUE"
    NOT_YET = "NOT_YET"  # its period has not started (or its start is not recorded)


@dataclass(frozen=True)
class Rule:
    step: Step
    days: int
    unit: Unit
    counted_from: str
    done_when: str
    article: str  # the short citation shown beside the due date
    text_ids: tuple[str, ...]  # the provisions in credit/legal/texts.toml

    @property
    def text(self) -> str:
        return text(*self.text_ids)


RULES: tuple[Rule, ...] = (
    Rule(
        Step.CHALLENGE_FILING,
        7,
        Unit.WORKING_DAYS,
        "the day the supplier knew or should have known its rights were harmed",
        "challenge sent (received, if the sending day is not recorded)",
        "财政部令第94号第十条、第十一条",
        ("ORDER94-10", "ORDER94-11", "ORDER94-42"),
    ),
    Rule(
        Step.CHALLENGE_REPLY,
        7,
        Unit.WORKING_DAYS,
        "challenge received",
        "reply made",
        "财政部令第94号第十三条",
        ("ORDER94-13",),
    ),
    Rule(
        Step.COMPLAINT_FILING,
        15,
        Unit.WORKING_DAYS,
        "end of the challenge-reply period",
        "complaint sent (received, if the sending day is not recorded)",
        "财政部令第94号第十七条",
        ("ORDER94-17", "ORDER94-42"),
    ),
    Rule(
        Step.ACCEPTANCE_REVIEW,
        5,
        Unit.WORKING_DAYS,
        "complaint received",
        "review concluded (accepted, corrections asked, or refused)",
        "财政部令第94号第二十一条",
        ("ORDER94-21",),
    ),
    Rule(
        Step.RESPONDENT_NOTICE,
        8,
        Unit.WORKING_DAYS,
        "complaint received",
        "notice to reply and copy of the complaint sent to the respondent",
        "财政部令第94号第二十一条第（四）项",
        ("ORDER94-21-4",),
    ),
    Rule(
        Step.RESPONDENT_REPLY,
        5,
        Unit.WORKING_DAYS,
        "notice and copy received by the respondent",
        "respondent's written explanation and evidence submitted",
        "财政部令第94号第二十二条",
        ("ORDER94-22",),
    ),
    Rule(
        Step.DECISION,
        30,
        Unit.WORKING_DAYS,
        "complaint received (plus the working days Art. 27 does not count)",
        "decision made",
        "财政部令第94号第二十六条、第二十七条",
        ("ORDER94-26", "ORDER94-27"),
    ),
    Rule(
        Step.PROCUREMENT_SUSPENSION,
        30,
        Unit.DAYS,
        "suspension notice received by the purchaser",
        "procurement resumed",
        "财政部令第94号第二十八条",
        ("ORDER94-28", "ORDER94-42"),
    ),
)
BY_STEP = {rule.step: rule for rule in RULES}

MAX_UNCOUNTED_WORKING_DAYS = 250


@dataclass(frozen=True)
class CaseDates:
    """The dates known of one complaint; None means it has not happened (or is not recorded)."""

    complaint_received_on: date
    rights_known_on: date | None = None
    challenge_sent_on: date | None = None
    challenge_received_on: date | None = None
    challenge_replied_on: date | None = None
    complaint_sent_on: date | None = None
    accepted_on: date | None = None
    notice_sent_on: date | None = None
    notice_received_on: date | None = None
    respondent_replied_on: date | None = None
    decided_on: date | None = None
    suspended_working_days: int = 0  # Art. 27: working days not counted in the decision period
    procurement_suspended_on: date | None = None
    procurement_resumed_on: date | None = None


STEP_FIELDS = tuple(
    f.name for f in fields(CaseDates) if f.name not in ("complaint_received_on", "decided_on")
)

# (earlier, later): a later event cannot precede the earlier one.
_ORDER = (
    ("rights_known_on", "challenge_sent_on"),
    ("rights_known_on", "challenge_received_on"),
    ("challenge_sent_on", "challenge_received_on"),
    ("challenge_received_on", "challenge_replied_on"),
    ("challenge_received_on", "complaint_sent_on"),
    ("challenge_received_on", "complaint_received_on"),
    ("complaint_sent_on", "complaint_received_on"),
    ("complaint_received_on", "accepted_on"),
    ("complaint_received_on", "notice_sent_on"),
    ("notice_sent_on", "notice_received_on"),
    ("notice_received_on", "respondent_replied_on"),
    ("complaint_received_on", "procurement_suspended_on"),
    ("procurement_suspended_on", "procurement_resumed_on"),
)


class CaseError(DomainError):
    """A case whose dates contradict each other; `field` is the snake_case field at fault."""


def check(case: CaseDates) -> None:
    """Refuse dates no real case can have, naming the field and the rule."""
    if not 0 <= case.suspended_working_days <= MAX_UNCOUNTED_WORKING_DAYS:
        raise CaseError(
            "suspended_working_days",
            "range",
            f"Art. 27 uncounted time is 0 to {MAX_UNCOUNTED_WORKING_DAYS} working days",
        )
    for earlier, later in _ORDER:
        a, b = getattr(case, earlier), getattr(case, later)
        if a is not None and b is not None and b < a:
            raise CaseError(later, "order", f"{later} {b} is before {earlier} {a}")
    if case.procurement_resumed_on is not None and case.procurement_suspended_on is None:
        raise CaseError(
            "procurement_resumed_on", "requires", "a resumption needs the suspension's date"
        )


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    starts: date | None
    due: date | None
    done_on: date | None
    state: StepState


def state_of(due: date | None, done_on: date | None, as_of: date) -> StepState:
    """On time when done by the due day; open on the due day is DUE, the day after OVERDUE."""
    if due is None:
        return StepState.NOT_YET
    if done_on is not None:
        return StepState.DONE if done_on <= due else StepState.DONE_LATE
    return StepState.OVERDUE if as_of > due else StepState.DUE


def due_date(rule: Rule, start: date, uncounted: int = 0) -> date:
    """The last day of the rule's period started on `start` (start not counted)."""
    if rule.unit is Unit.DAYS:
        return add_days(start, rule.days + uncounted)
    return add_working_days(start, rule.days + uncounted)


def deadlines(case: CaseDates, as_of: date) -> list[Deadline]:
    """What is due when, and what was done late or is overdue on `as_of`, in RULES order."""
    received = case.complaint_received_on
    reply_due = (
        due_date(BY_STEP[Step.CHALLENGE_REPLY], case.challenge_received_on)
        if case.challenge_received_on
        else None
    )
    spans: dict[Step, tuple[date | None, date | None]] = {
        Step.CHALLENGE_FILING: (
            case.rights_known_on,
            case.challenge_sent_on or case.challenge_received_on,
        ),
        Step.CHALLENGE_REPLY: (case.challenge_received_on, case.challenge_replied_on),
        Step.COMPLAINT_FILING: (reply_due, case.complaint_sent_on or received),
        Step.ACCEPTANCE_REVIEW: (received, case.accepted_on),
        Step.RESPONDENT_NOTICE: (received, case.notice_sent_on),
        Step.RESPONDENT_REPLY: (case.notice_received_on, case.respondent_replied_on),
        Step.DECISION: (received, case.decided_on),
        Step.PROCUREMENT_SUSPENSION: (case.procurement_suspended_on, case.procurement_resumed_on),
    }
    out = []
    for rule in RULES:
        start, done = spans[rule.step]
        uncounted = case.suspended_working_days if rule.step is Step.DECISION else 0
        due = due_date(rule, start, uncounted) if start is not None else None
        out.append(Deadline(rule, start, due, done, state_of(due, done, as_of)))
    return out
