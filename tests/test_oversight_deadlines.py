"""MOF Order No. 94 deadlines in working days of China's official calendar."""

from __future__ import annotations

from datetime import date

from credit.oversight.deadlines import (
    CaseDates,
    Step,
    StepState,
    add_working_days,
    deadlines,
    is_working_day,
)


def test_the_official_calendar_knows_holidays_and_make_up_working_days() -> None:
    assert not is_working_day(date(2025, 10, 1))  # National Day
    assert not is_working_day(date(2025, 10, 8))  # holiday moved from Saturday 11 October
    assert is_working_day(date(2025, 9, 28))  # Sunday worked in exchange
    assert is_working_day(date(2025, 10, 11))  # Saturday worked in exchange
    assert not is_working_day(date(2025, 10, 18))  # an ordinary Saturday


def test_a_period_spanning_national_day_counts_the_make_up_sunday_and_skips_the_holiday() -> None:
    # Friday 26 Sep + 5 working days: Sun 28 (make-up), Mon 29, Tue 30, then 1-8 Oct off,
    # Thu 9, Fri 10.
    assert add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    # one more lands on the make-up Saturday 11 October
    assert add_working_days(date(2025, 9, 26), 6) == date(2025, 10, 11)


def test_the_order_94_table_shows_what_is_due_and_what_is_overdue() -> None:
    case = CaseDates(
        challenge_received_on=date(2025, 9, 19),
        challenge_replied_on=date(2025, 9, 30),
        complaint_received_on=date(2025, 10, 9),
        accepted_on=date(2025, 10, 17),
    )
    table = {d.rule.step: d for d in deadlines(case, as_of=date(2025, 10, 23))}
    reply = table[Step.CHALLENGE_REPLY]  # Art. 13: 7 working days from 19 Sep (Sun 28 counts)
    assert reply.due == date(2025, 9, 29)
    assert reply.state is StepState.DONE_LATE
    filing = table[Step.COMPLAINT_FILING]  # Art. 17: 15 working days after the reply period
    assert filing.due == date(2025, 10, 27)
    assert filing.state is StepState.DONE
    accept = table[Step.ACCEPTANCE_REVIEW]  # Art. 21: 5 working days from receipt (9 Oct)
    assert accept.due == date(2025, 10, 15)
    assert accept.state is StepState.DONE_LATE
    notice = table[Step.RESPONDENT_NOTICE]  # Art. 22: 3 working days from acceptance
    assert notice.due == date(2025, 10, 22)
    assert notice.state is StepState.OVERDUE
    decision = table[Step.DECISION]  # Art. 26: 30 working days from receipt
    assert decision.due == date(2025, 11, 19)
    assert decision.state is StepState.DUE
    assert "第二十六条" in decision.rule.article


def test_suspended_time_extends_the_decision_period() -> None:
    base = CaseDates(complaint_received_on=date(2025, 11, 3))
    paused = CaseDates(complaint_received_on=date(2025, 11, 3), suspended_working_days=5)
    due = {d.rule.step: d.due for d in deadlines(base, date(2025, 11, 3))}[Step.DECISION]
    later = {d.rule.step: d.due for d in deadlines(paused, date(2025, 11, 3))}[Step.DECISION]
    assert due is not None and later == add_working_days(due, 5)
