"""Civil Code periods read back from a check day, and instants read as China time: pure rules
(credit.domain.periods), no database. Periods counted forward are in tests/test_scoring_rules.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from credit.domain.periods import CHINA, as_china_time, window_first_day


@pytest.mark.parametrize(
    ("as_of", "years", "first"),
    [
        (date(2026, 6, 1), 3, date(2023, 6, 1)),  # the corresponding day
        (date(2028, 2, 29), 3, date(2025, 2, 28)),  # none: the month's last day (Art. 202)
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2026, 6, 1), 1, date(2025, 6, 1)),
    ],
)
def test_the_years_before_a_check_day_start_on_the_corresponding_day(
    as_of: date, years: int, first: date
) -> None:
    assert window_first_day(as_of, years) == first


def test_a_naive_instant_is_china_time_and_an_aware_one_stays_as_it_is() -> None:
    naive = datetime(2026, 12, 6, 9, 30)
    assert as_china_time(naive) == datetime(2026, 12, 6, 9, 30, tzinfo=CHINA)
    assert as_china_time(naive).tzinfo is CHINA
    aware = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    assert as_china_time(aware).tzinfo is UTC
