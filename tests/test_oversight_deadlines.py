"""MOF Order No. 94 deadlines in working days of China's official calendar, each pinned at its
boundary days: done on the due day is on time, open on the due day is DUE, the day after is
OVERDUE. The due dates below are counted by hand (November-December 2025 has no holiday)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest

from credit.legal import catalogue
from credit.oversight.deadlines import (
    RULES,
    CaseDates,
    CaseError,
    Step,
    StepState,
    add_days,
    add_working_days,
    check,
    deadlines,
    is_working_day,
)

RECEIVED = date(2025, 12, 1)  # Monday: the finance department received the complaint
DAY = timedelta(days=1)


def _table(case: CaseDates, as_of: date) -> dict[Step, Any]:
    return {d.rule.step: d for d in deadlines(case, as_of)}


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


# step -> (the case's start dates, the field that records the step done, hand-counted due day)
BOUNDARIES: dict[Step, tuple[dict[str, Any], str, date]] = {
    # Art. 10: knew Mon 3 Nov; 4,5,6,7,10,11,12 Nov
    Step.CHALLENGE_FILING: ({"rights_known_on": date(2025, 11, 3)}, "challenge_sent_on",
                            date(2025, 11, 12)),
    # Art. 13: received Wed 12 Nov; 13,14,17,18,19,20,21 Nov
    Step.CHALLENGE_REPLY: ({"challenge_received_on": date(2025, 11, 12)}, "challenge_replied_on",
                           date(2025, 11, 21)),
    # Art. 17: 15 working days after the reply period ends (Fri 21 Nov): 24 Nov .. 12 Dec
    Step.COMPLAINT_FILING: ({"challenge_received_on": date(2025, 11, 12)}, "complaint_sent_on",
                            date(2025, 12, 12)),
    # Art. 21: received Mon 1 Dec; 2,3,4,5,8 Dec
    Step.ACCEPTANCE_REVIEW: ({}, "accepted_on", date(2025, 12, 8)),
    # Art. 21(4): 8 working days of receipt: 2,3,4,5,8,9,10,11 Dec
    Step.RESPONDENT_NOTICE: ({}, "notice_sent_on", date(2025, 12, 11)),
    # Art. 22: respondent received Thu 11 Dec; 12,15,16,17,18 Dec
    Step.RESPONDENT_REPLY: ({"notice_received_on": date(2025, 12, 11)}, "respondent_replied_on",
                            date(2025, 12, 18)),
    # Art. 28: suspension notice received Mon 1 Dec + 30 days = Wed 31 Dec
    Step.PROCUREMENT_SUSPENSION: ({"procurement_suspended_on": RECEIVED},
                                  "procurement_resumed_on", date(2025, 12, 31)),
}  # fmt: skip


@pytest.mark.parametrize("step", list(BOUNDARIES))
def test_each_step_is_on_time_on_its_due_day_and_overdue_the_day_after(step: Step) -> None:
    starts, done_field, due = BOUNDARIES[step]
    base = CaseDates(complaint_received_on=RECEIVED, **starts)
    assert _table(base, due)[step].due == due

    done_on_due: dict[str, Any] = {done_field: due}
    on_due = dataclasses.replace(base, **done_on_due)
    assert _table(on_due, due + 30 * DAY)[step].state is StepState.DONE
    done_late: dict[str, Any] = {done_field: due + DAY}
    late = dataclasses.replace(base, **done_late)
    assert _table(late, due + 30 * DAY)[step].state is StepState.DONE_LATE
    if step is Step.COMPLAINT_FILING:
        return  # a recorded complaint was received, so its filing is never open
    assert _table(base, due)[step].state is StepState.DUE
    assert _table(base, due - DAY)[step].state is StepState.DUE
    assert _table(base, due + DAY)[step].state is StepState.OVERDUE


def test_the_decision_is_due_30_working_days_after_receipt_at_its_boundary() -> None:
    # received Mon 3 Nov 2025: Nov 4-7 (4), 10-14 (9), 17-21 (14), 24-28 (19), Dec 1-5 (24),
    # Dec 8-12 (29), Mon 15 Dec (30)
    case = CaseDates(complaint_received_on=date(2025, 11, 3))
    due = date(2025, 12, 15)
    assert _table(case, due)[Step.DECISION].due == due
    assert _table(case, due)[Step.DECISION].state is StepState.DUE
    assert _table(case, due + DAY)[Step.DECISION].state is StepState.OVERDUE
    decided = dataclasses.replace(case, decided_on=due)
    assert _table(decided, due + DAY)[Step.DECISION].state is StepState.DONE
    # Art. 27: 5 uncounted working days move it to Mon 22 Dec
    paused = dataclasses.replace(case, suspended_working_days=5)
    assert _table(paused, due)[Step.DECISION].due == date(2025, 12, 22)


def test_the_respondent_notice_counts_8_working_days_from_receipt_not_from_acceptance() -> None:
    """The old rule counted 3 working days from acceptance (wrongly citing Art. 22)."""
    case = CaseDates(complaint_received_on=RECEIVED, accepted_on=date(2025, 12, 5))
    notice = _table(case, RECEIVED)[Step.RESPONDENT_NOTICE]
    assert notice.starts == RECEIVED
    assert notice.due == date(2025, 12, 11)
    assert notice.rule.days == 8
    assert notice.rule.text_ids == ("ORDER94-21-4",)
    assert "8个工作日内" in notice.rule.text and "第二十一条第（四）项" in notice.rule.text


def test_a_challenge_sent_on_its_last_day_is_in_time_whatever_the_post_takes() -> None:
    """Order No. 94 Art. 42: time in transit does not count."""
    case = CaseDates(
        complaint_received_on=RECEIVED,
        rights_known_on=date(2025, 11, 3),
        challenge_sent_on=date(2025, 11, 12),
        challenge_received_on=date(2025, 11, 14),
    )
    assert _table(case, RECEIVED)[Step.CHALLENGE_FILING].state is StepState.DONE
    unsent = dataclasses.replace(case, challenge_sent_on=None)
    assert _table(unsent, RECEIVED)[Step.CHALLENGE_FILING].state is StepState.DONE_LATE


def test_a_suspension_ending_on_a_rest_day_or_holiday_runs_to_the_next_working_day() -> None:
    """Art. 28's 30 days, with Art. 42: the last day moves off rest days and holidays."""
    assert add_days(date(2025, 11, 7), 30) == date(2025, 12, 8)  # Sun 7 Dec -> Mon 8 Dec
    assert add_days(date(2025, 9, 1), 30) == date(2025, 10, 9)  # 1 Oct: National Day to 8 Oct
    assert add_days(date(2025, 12, 1), 30) == date(2025, 12, 31)  # a working day stays


def test_the_order_94_table_across_national_day() -> None:
    case = CaseDates(
        challenge_received_on=date(2025, 9, 19),
        challenge_replied_on=date(2025, 9, 30),
        complaint_received_on=date(2025, 10, 9),
        accepted_on=date(2025, 10, 17),
    )
    table = _table(case, as_of=date(2025, 10, 23))
    assert table[Step.CHALLENGE_REPLY].due == date(2025, 9, 29)  # Sun 28 Sep is worked
    assert table[Step.CHALLENGE_REPLY].state is StepState.DONE_LATE
    assert table[Step.COMPLAINT_FILING].due == date(2025, 10, 27)
    assert table[Step.COMPLAINT_FILING].state is StepState.DONE
    assert table[Step.ACCEPTANCE_REVIEW].due == date(2025, 10, 15)
    assert table[Step.ACCEPTANCE_REVIEW].state is StepState.DONE_LATE
    # 8 working days of 9 Oct: Fri 10, Sat 11 (make-up), 13, 14, 15, 16, 17, Mon 20
    assert table[Step.RESPONDENT_NOTICE].due == date(2025, 10, 20)
    assert table[Step.RESPONDENT_NOTICE].state is StepState.OVERDUE
    assert table[Step.DECISION].due == date(2025, 11, 19)
    assert table[Step.DECISION].state is StepState.DUE
    assert table[Step.RESPONDENT_REPLY].state is StepState.NOT_YET  # notice not received yet


def test_every_rule_cites_catalogued_texts_that_state_its_period() -> None:
    known = catalogue()
    for rule in RULES:
        assert all(i in known for i in rule.text_ids), rule.step
        number = str(rule.days)
        assert number in known[rule.text_ids[0]].zh, rule.step


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        (
            {
                "challenge_received_on": date(2025, 11, 12),
                "challenge_replied_on": date(2025, 11, 11),
            },
            "challenge_replied_on",
            "order",
        ),
        ({"notice_sent_on": date(2025, 11, 28)}, "notice_sent_on", "order"),
        ({"suspended_working_days": -1}, "suspended_working_days", "range"),
        ({"procurement_resumed_on": date(2025, 12, 5)}, "procurement_resumed_on", "requires"),
    ],
)
def test_contradictory_dates_are_refused_naming_the_field(
    change: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(CaseError) as caught:
        check(CaseDates(complaint_received_on=RECEIVED, **change))
    assert (caught.value.field, caught.value.rule) == (field, rule)


def test_a_consistent_case_passes_the_check() -> None:
    check(
        CaseDates(
            complaint_received_on=RECEIVED,
            rights_known_on=date(2025, 11, 3),
            challenge_sent_on=date(2025, 11, 12),
            challenge_received_on=date(2025, 11, 12),
            challenge_replied_on=date(2025, 11, 12),
            accepted_on=RECEIVED,
            notice_sent_on=RECEIVED,
            notice_received_on=RECEIVED,
            respondent_replied_on=RECEIVED,
            procurement_suspended_on=RECEIVED,
            procurement_resumed_on=RECEIVED,
        )
    )
