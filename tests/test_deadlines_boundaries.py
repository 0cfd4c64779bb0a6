"""MOF Order No. 94 deadlines at the edges tests/test_oversight_deadlines.py leaves: the most
uncounted time Art. 27 allows, the wording of a refused case, and the uncounted time moving
only the decision. Pure, no database."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from credit.oversight.deadlines import (
    MAX_UNCOUNTED_WORKING_DAYS,
    CaseDates,
    CaseError,
    Step,
    check,
    deadlines,
)

RECEIVED = date(2025, 12, 1)  # Monday


@pytest.mark.parametrize(
    ("days", "refused"), [(0, False), (MAX_UNCOUNTED_WORKING_DAYS, False), (251, True)]
)
def test_art_27_uncounted_time_is_0_to_250_working_days(days: int, refused: bool) -> None:
    case = CaseDates(complaint_received_on=RECEIVED, suspended_working_days=days)
    if not refused:
        check(case)
        return
    with pytest.raises(CaseError) as caught:
        check(case)
    assert caught.value.message == "Art. 27 uncounted time is 0 to 250 working days"


def test_a_refused_case_says_which_dates_contradict_each_other() -> None:
    with pytest.raises(CaseError) as caught:
        check(CaseDates(complaint_received_on=RECEIVED, notice_sent_on=date(2025, 11, 28)))
    assert (
        caught.value.message
        == "notice_sent_on 2025-11-28 is before complaint_received_on 2025-12-01"
    )
    with pytest.raises(CaseError) as caught:
        check(CaseDates(complaint_received_on=RECEIVED, procurement_resumed_on=RECEIVED))
    assert caught.value.message == "a resumption needs the suspension's date"


def test_uncounted_time_moves_only_the_decision_and_each_step_keeps_its_done_day() -> None:
    case = CaseDates(
        complaint_received_on=RECEIVED,
        accepted_on=date(2025, 12, 3),
        procurement_suspended_on=RECEIVED,
    )
    plain = {d.rule.step: d for d in deadlines(case, RECEIVED)}
    paused = {
        d.rule.step: d
        for d in deadlines(dataclasses.replace(case, suspended_working_days=5), RECEIVED)
    }
    moved = [step for step in Step if plain[step].due != paused[step].due]
    assert moved == [Step.DECISION]
    assert paused[Step.ACCEPTANCE_REVIEW].done_on == date(2025, 12, 3)
    assert paused[Step.DECISION].done_on is None
