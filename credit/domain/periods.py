"""Periods and days the law counts: Civil Code Arts. 201-202, and "today" in China.

One place for every window the rules use (the 3-year bar of Law Art. 22, a record's counting
period, the recusal look-back of Regs Art. 9), so they all end on the same day (CIVIL-201-202):
the day of the event is not counted, and a period of months or years ends on the corresponding
day of its last month, or on that month's last day when it has none.

Civil Code Art. 203 (a last day falling on a public holiday moves to the next working day) is
for deadlines to do something; these windows say how long a past fact counts, so it does not
apply here (the complaint deadlines count working days elsewhere).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def shift_months(day: date, months: int) -> date:
    """The corresponding day `months` later (or earlier); the month's last day when that month
    has no such day (Civil Code Art. 202)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last))


def period_end(event: date, months: int) -> date:
    """The last day of a period of `months` counted from an event on `event`: counting starts
    the next day (Art. 201) and ends on the corresponding day (Art. 202).

    A decision of 2023-03-15 counted for 36 months counts through 2026-03-15; one of
    2024-02-29 counted for 12 months through 2025-02-28.
    """
    return shift_months(event, months)


def within(event: date, day: date, months: int) -> bool:
    """Whether `day` falls inside the `months` counted from `event` (the event day included:
    what happened on a day counts on that day)."""
    return event <= day <= period_end(event, months)


def within_years_before(event: date, day: date, years: int) -> bool:
    """Whether a fact on `event` lies within the `years` before `day` (Law Art. 22 "前三年内",
    Regs Art. 9 "三年内"): the same window as `within`, read from the check day."""
    return within(event, day, 12 * years)


def window_first_day(as_of: date, years: int) -> date:
    """The earliest day of "the `years` before `as_of`": counted back from the check day, which
    is not counted (Civil Code Art. 201), to the corresponding day, or the month's last day when
    there is none (Art. 202). 2026-06-01 -> 2023-06-01; 2028-02-29 -> 2025-02-28."""
    return shift_months(as_of, -12 * years)


def days_between(first: date, last: date) -> int:
    """Days from `first` through `last`, both counted (a ban from 1 to 3 March is 3 days)."""
    return (last - first).days + 1


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def today() -> date:
    """Today in China (Asia/Shanghai), whatever the server's clock zone is."""
    return datetime.now(CHINA).date()


def local_day(instant: datetime) -> date:
    """The day an instant falls on in China; a naive instant is read as China time."""
    if instant.tzinfo is None:
        return instant.date()
    return instant.astimezone(CHINA).date()


def as_china_time(instant: datetime) -> datetime:
    """An aware instant; a naive one is read as China time (what a purchaser there means)."""
    return instant.replace(tzinfo=CHINA) if instant.tzinfo is None else instant
