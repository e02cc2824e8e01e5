"""Working-day arithmetic (pure, no database), table-driven, with the official 2025 and 2026 arrangements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from loancrm.core.calendar import Roll, WorkingCalendar
from loancrm.core.holidays_cn import ARRANGEMENTS, official_years


def calendar_of(year: int) -> WorkingCalendar:
    holidays, workdays = ARRANGEMENTS[year]
    return WorkingCalendar({d for d, _ in holidays}, {d for d, _ in workdays})


CAL = WorkingCalendar.of(
    [d for year in ARRANGEMENTS for d, _ in ARRANGEMENTS[year][0]],
    [d for year in ARRANGEMENTS for d, _ in ARRANGEMENTS[year][1]],
)
PLAIN = WorkingCalendar(set(), set())


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival
        (date(2026, 2, 14), True),  # Saturday, adjusted working day
        (date(2026, 2, 15), False),  # Sunday, first day of the holiday
        (date(2026, 2, 16), False),  # Monday, holiday (除夕)
        (date(2026, 2, 18), False),  # Wednesday, holiday
        (date(2026, 2, 23), False),  # Monday, last day of the holiday
        (date(2026, 2, 24), True),  # Tuesday, back to work
        (date(2026, 2, 28), True),  # Saturday, adjusted working day
        (date(2026, 3, 1), False),  # ordinary Sunday
        (date(2026, 1, 2), False),  # Friday, New Year's holiday
        (date(2026, 1, 4), True),  # Sunday, adjusted working day
        (date(2026, 5, 5), False),  # Tuesday, Labour Day holiday
        (date(2026, 5, 9), True),  # Saturday, adjusted working day
        (date(2026, 9, 20), True),  # Sunday, adjusted working day
        (date(2026, 9, 25), False),  # Friday, Mid-Autumn Festival
        (date(2026, 10, 7), False),  # Wednesday, National Day holiday
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, adjusted working day
        (date(2025, 1, 26), True),  # Sunday, adjusted working day
        (date(2025, 10, 6), False),  # Monday, Mid-Autumn Festival inside the National Day week
        (date(2025, 10, 11), True),  # Saturday, adjusted working day
    ],
)
def test_is_working_day(day, working):
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [(date(2026, 11, 20), True), (date(2026, 11, 21), False), (date(2026, 11, 22), False), (date(2026, 11, 23), True)],
)
def test_without_exceptions_monday_to_friday_work(day, working):
    assert PLAIN.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "following", "preceding"),
    [
        (date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 12)),
        (date(2026, 2, 14), date(2026, 2, 24), date(2026, 2, 13)),
        (date(2026, 2, 18), date(2026, 2, 24), date(2026, 2, 14)),
        (date(2026, 2, 27), date(2026, 2, 28), date(2026, 2, 26)),
        (date(2026, 2, 28), date(2026, 3, 2), date(2026, 2, 27)),
        (date(2026, 9, 30), date(2026, 10, 8), date(2026, 9, 29)),
        (date(2026, 1, 2), date(2026, 1, 4), date(2025, 12, 31)),
        (date(2025, 12, 31), date(2026, 1, 4), date(2025, 12, 30)),
    ],
)
def test_next_and_previous_working_day_are_strict(day, following, preceding):
    assert CAL.next_working_day(day) == following
    assert CAL.previous_working_day(day) == preceding


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 2, 13), 0, date(2026, 2, 13)),
        (date(2026, 2, 15), 0, date(2026, 2, 15)),  # zero days: the date itself, even on a holiday
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 15), 1, date(2026, 2, 24)),
        (date(2026, 2, 24), -1, date(2026, 2, 14)),
        (date(2026, 2, 24), -2, date(2026, 2, 13)),
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # 8, 9, 10 (Sat), 12, 13
        (date(2026, 11, 20), 1, date(2026, 11, 23)),
    ],
)
def test_add_working_days(start, count, expected):
    assert CAL.add_working_days(start, count) == expected


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 2, 13), date(2026, 2, 13), 0),
        (date(2026, 2, 13), date(2026, 2, 24), 2),  # Sat 14 and Tue 24
        (date(2026, 2, 24), date(2026, 2, 13), -2),  # Fri 13 and Sat 14
        (date(2026, 2, 9), date(2026, 3, 2), 11),
        (date(2026, 3, 2), date(2026, 2, 9), -11),
        (date(2026, 2, 15), date(2026, 2, 23), 0),  # the whole festival
        (date(2025, 12, 31), date(2026, 12, 31), 248),  # the whole of 2026
        (date(2024, 12, 31), date(2025, 12, 31), 248),  # the whole of 2025
    ],
)
def test_working_days_between(start, end, count):
    assert CAL.working_days_between(start, end) == count


def test_a_plain_week_has_five_working_days():
    assert PLAIN.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5


@pytest.mark.parametrize(
    ("day", "convention", "rolled"),
    [
        (date(2026, 2, 18), "following", date(2026, 2, 24)),
        (date(2026, 2, 18), "preceding", date(2026, 2, 14)),
        (date(2026, 2, 18), "modified_following", date(2026, 2, 24)),
        (date(2026, 2, 18), "none", date(2026, 2, 18)),
        (date(2026, 10, 31), Roll.FOLLOWING, date(2026, 11, 2)),
        (date(2026, 10, 31), Roll.MODIFIED_FOLLOWING, date(2026, 10, 30)),  # next is in November: go back
        (date(2026, 5, 31), Roll.MODIFIED_FOLLOWING, date(2026, 5, 29)),
        (date(2026, 1, 1), Roll.MODIFIED_FOLLOWING, date(2026, 1, 4)),  # adjusted Sunday is in January
        (date(2026, 1, 3), Roll.PRECEDING, date(2025, 12, 31)),
        (date(2026, 2, 24), Roll.PRECEDING, date(2026, 2, 24)),  # working days stay put
        (date(2026, 2, 14), Roll.FOLLOWING, date(2026, 2, 14)),
    ],
)
def test_roll_conventions(day, convention, rolled):
    assert CAL.roll(day, convention) == rolled


def test_unknown_roll_convention_is_refused():
    with pytest.raises(ValueError):
        CAL.roll(date(2026, 2, 18), "nearest")


def test_a_date_cannot_be_both_holiday_and_working_day():
    with pytest.raises(ValueError):
        WorkingCalendar({date(2026, 2, 14)}, {date(2026, 2, 14)})


def test_a_calendar_without_working_days_fails_clearly():
    every_day = {date(2026, 1, 1) + timedelta(days=i) for i in range(800)}
    with pytest.raises(ValueError):
        WorkingCalendar(every_day, set()).next_working_day(date(2026, 1, 1))
    with pytest.raises(ValueError):
        PLAIN.next_working_day(date.max)


@given(
    day=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 30)),
    count=st.integers(min_value=-60, max_value=60),
)
def test_counting_undoes_adding(day, count):
    moved = CAL.add_working_days(day, count)
    assert CAL.working_days_between(day, moved) == count
    if count:
        assert CAL.is_working_day(moved)


@given(day=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 30)))
def test_rolled_dates_are_working_days_in_order(day):
    assert CAL.previous_working_day(day) < day < CAL.next_working_day(day)
    for convention in ("following", "preceding", "modified_following"):
        assert CAL.is_working_day(CAL.roll(day, convention))
    following, modified = CAL.roll(day, "following"), CAL.roll(day, "modified_following")
    assert modified == (following if following.month == day.month else CAL.roll(day, "preceding"))


@pytest.mark.parametrize(
    ("year", "holidays", "workdays"),
    [(2025, 1 + 8 + 3 + 5 + 3 + 8, 5), (2026, 3 + 9 + 3 + 5 + 3 + 3 + 7, 6)],
)
def test_official_arrangements(year, holidays, workdays):
    official_holidays, official_workdays = ARRANGEMENTS[year]
    assert (len(official_holidays), len(official_workdays)) == (holidays, workdays)
    assert len({d for d, _ in official_holidays}) == holidays
    assert all(d.year == year for d, _ in official_holidays + official_workdays)
    assert all(d.weekday() >= 5 for d, _ in official_workdays)
    assert year in official_years()


@translation.override("en")
def test_2026_spring_festival_dates_and_names():
    holidays, workdays = ARRANGEMENTS[2026]
    spring = [d for d, name in holidays if str(name) == "Spring Festival"]
    assert spring == [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert {d for d, _ in workdays if d.month == 2} == {date(2026, 2, 14), date(2026, 2, 28)}
    assert {str(name) for _, name in workdays} == {"Adjusted working day"}
    assert calendar_of(2026).working_days_between(date(2026, 2, 1), date(2026, 2, 28)) == 16
