"""Working-day arithmetic, table-driven, with the 2026 Spring Festival arrangement."""

from __future__ import annotations

from datetime import date

import pytest

from loancrm.core.calendar import Roll, WorkingCalendar
from loancrm.core.holidays_cn import ARRANGEMENTS

HOLIDAYS_2026, WORKDAYS_2026 = ARRANGEMENTS[2026]
CAL = WorkingCalendar.of([d for d, _ in HOLIDAYS_2026], [d for d, _ in WORKDAYS_2026])
PLAIN = WorkingCalendar.of()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the festival
        (date(2026, 2, 14), True),  # Saturday, adjusted working day
        (date(2026, 2, 15), False),  # Spring Festival holiday (Sunday)
        (date(2026, 2, 18), False),  # Wednesday, holiday
        (date(2026, 2, 23), False),  # Monday, last holiday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, adjusted working day
        (date(2026, 3, 1), False),  # ordinary Sunday
        (date(2026, 10, 8), True),
    ],
)
def test_is_working_day(day, working):
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "expected_next", "expected_previous"),
    [
        (date(2026, 2, 14), date(2026, 2, 24), date(2026, 2, 13)),
        (date(2026, 9, 30), date(2026, 10, 8), date(2026, 9, 29)),
        (date(2026, 1, 2), date(2026, 1, 4), date(2025, 12, 31)),
    ],
)
def test_next_and_previous_working_day(day, expected_next, expected_previous):
    assert CAL.next_working_day(day) == expected_next
    assert CAL.previous_working_day(day) == expected_previous


def test_add_and_count_working_days():
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert CAL.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)
    assert CAL.add_working_days(date(2026, 2, 24), 0) == date(2026, 2, 24)
    assert CAL.working_days_between(date(2026, 2, 9), date(2026, 3, 2)) == 11
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 2, 9)) == -11
    assert PLAIN.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5


@pytest.mark.parametrize(
    ("day", "convention", "rolled"),
    [
        (date(2026, 2, 18), Roll.FOLLOWING, date(2026, 2, 24)),
        (date(2026, 2, 18), Roll.PRECEDING, date(2026, 2, 14)),
        (date(2026, 2, 18), Roll.NONE, date(2026, 2, 18)),
        (date(2026, 10, 31), Roll.FOLLOWING, date(2026, 11, 2)),
        (date(2026, 10, 31), Roll.MODIFIED_FOLLOWING, date(2026, 10, 30)),
        (date(2026, 2, 18), "modified_following", date(2026, 2, 24)),
        (date(2026, 2, 24), Roll.PRECEDING, date(2026, 2, 24)),
    ],
)
def test_roll_conventions(day, convention, rolled):
    assert CAL.roll(day, convention) == rolled


def test_a_date_cannot_be_both_holiday_and_working_day():
    with pytest.raises(ValueError):
        WorkingCalendar.of([date(2026, 2, 14)], [date(2026, 2, 14)])


def test_official_arrangements_put_workdays_only_on_weekends_and_holidays_are_unique():
    for holidays, workdays in ARRANGEMENTS.values():
        assert all(d.weekday() >= 5 for d, _ in workdays)
        assert len({d for d, _ in holidays}) == len(holidays)
    assert len(HOLIDAYS_2026) == 3 + 9 + 3 + 5 + 3 + 3 + 7
