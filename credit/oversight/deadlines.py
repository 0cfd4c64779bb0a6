"""Statutory deadlines of a procurement complaint (MOF Order No. 94 of 2017, 《政府采购质疑和
投诉办法》, in force 2018-03-01), in working days of China's official calendar.

A period "within N working days of X" does not count X itself (Civil Code Art. 201) and ends on
the N-th working day after it. Working days come from the `holidays` package's China calendar,
which knows the State Council's annual holiday notice including make-up working weekends
(调休上班); a year the notice has not yet covered counts plain weekdays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays


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


class Step(StrEnum):
    CHALLENGE_REPLY = "CHALLENGE_REPLY"
    COMPLAINT_FILING = "COMPLAINT_FILING"
    ACCEPTANCE_REVIEW = "ACCEPTANCE_REVIEW"
    RESPONDENT_NOTICE = "RESPONDENT_NOTICE"
    DECISION = "DECISION"


class StepState(StrEnum):
    DONE = "DONE"
    DONE_LATE = "DONE_LATE"
    DUE = "DUE"
    OVERDUE = "OVERDUE"
    NOT_YET = "NOT_YET"  # its period has not started


@dataclass(frozen=True)
class Rule:
    step: Step
    working_days: int
    counted_from: str
    article: str
    text: str


RULES: tuple[Rule, ...] = (
    Rule(
        Step.CHALLENGE_REPLY,
        7,
        "challenge received",
        "财政部令第94号第十三条",
        "采购人、采购代理机构应当在收到质疑函后7个工作日内作出答复",
    ),
    Rule(
        Step.COMPLAINT_FILING,
        15,
        "end of the challenge-reply period",
        "财政部令第94号第十七条；《政府采购法》第五十五条",
        "质疑供应商可以在答复期满后15个工作日内向财政部门提起投诉",
    ),
    Rule(
        Step.ACCEPTANCE_REVIEW,
        5,
        "complaint received",
        "财政部令第94号第二十一条",
        "财政部门收到投诉书后，应当在5个工作日内进行审查并作出处理（受理、补正或不予受理）",
    ),
    Rule(
        Step.RESPONDENT_NOTICE,
        3,
        "complaint accepted",
        "财政部令第94号第二十二条",
        "财政部门应当在受理投诉后3个工作日内向被投诉人和其他当事人发出投诉答复通知书及投诉书副本",
    ),
    Rule(
        Step.DECISION,
        30,
        "complaint received",
        "财政部令第94号第二十六条；《政府采购法》第五十六条",
        "财政部门应当自收到投诉之日起30个工作日内作出处理决定；检验、检测、鉴定、专家评审及"
        "补正材料所需时间不计入（第二十七条）",
    ),
)


@dataclass(frozen=True)
class CaseDates:
    """The dates known of one complaint; None means it has not happened (yet)."""

    complaint_received_on: date
    challenge_received_on: date | None = None
    challenge_replied_on: date | None = None
    accepted_on: date | None = None
    notice_sent_on: date | None = None
    decided_on: date | None = None
    suspended_working_days: int = 0  # Art. 27: time not counted in the decision period


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    starts: date | None
    due: date | None
    done_on: date | None
    state: StepState


def _state(due: date | None, done_on: date | None, as_of: date) -> StepState:
    if due is None:
        return StepState.NOT_YET
    if done_on is not None:
        return StepState.DONE if done_on <= due else StepState.DONE_LATE
    return StepState.OVERDUE if as_of > due else StepState.DUE


def deadlines(case: CaseDates, as_of: date) -> list[Deadline]:
    """What is due when, and what was done late or is overdue on `as_of`."""
    by_step = {rule.step: rule for rule in RULES}
    reply_due = (
        add_working_days(case.challenge_received_on, 7) if case.challenge_received_on else None
    )
    starts: dict[Step, tuple[date | None, date | None, date | None]] = {
        Step.CHALLENGE_REPLY: (case.challenge_received_on, reply_due, case.challenge_replied_on),
        Step.COMPLAINT_FILING: (reply_due, None, case.complaint_received_on),
        Step.ACCEPTANCE_REVIEW: (case.complaint_received_on, None, case.accepted_on),
        Step.RESPONDENT_NOTICE: (case.accepted_on, None, case.notice_sent_on),
        Step.DECISION: (case.complaint_received_on, None, case.decided_on),
    }
    out = []
    for step, (start, due, done) in starts.items():
        rule = by_step[step]
        if due is None and start is not None:
            extra = case.suspended_working_days if step is Step.DECISION else 0
            due = add_working_days(start, rule.working_days + extra)
        out.append(Deadline(rule, start, due, done, _state(due, done, as_of)))
    return out
