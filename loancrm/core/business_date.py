"""Reading the system business date (营业日) and the working-day calendar; every module reads through here.

The business date is one row; until it is initialised it reads as today's local date. It changes only through
``loancrm.core.services`` (end-of-day advance or an audited administrator action). The calendar is built from
``CalendarDay`` rows (holidays and adjusted working days) over the standard Monday–Friday week; nothing is
cached, so a change made on the calendar page is seen by the next call.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from loancrm.core.calendar import WorkingCalendar


def current_business_date() -> dt.date:
    """The system business date; today's local date if none was ever set. A plain statement (read on every
    posting: building the ORM query cost more than running it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current FROM core_businessdate WHERE singleton = 1")
        row = cursor.fetchone()
    if row is None:
        return timezone.localdate()
    value = row[0]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def working_calendar(year_range: tuple[int, int] | None = None) -> WorkingCalendar:
    """The calendar from the database; ``year_range=(first, last)`` (inclusive) loads only those years.

    A calendar loaded for some years treats dates outside them as a plain Monday–Friday week.
    """
    from loancrm.core.models import CalendarDay

    rows = CalendarDay.objects.all()
    if year_range is not None:
        first, last = year_range
        rows = rows.filter(date__gte=dt.date(first, 1, 1), date__lte=dt.date(last, 12, 31))
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for day, kind in rows.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).append(day)
    return WorkingCalendar.of(holidays, workdays)


def _around(day: dt.date) -> tuple[int, int]:
    """The years a scan of at most a year either way from ``day`` can touch."""
    return max(day.year - 1, dt.MINYEAR), min(day.year + 1, dt.MAXYEAR)


def is_working_day(day: dt.date) -> bool:
    return working_calendar((day.year, day.year)).is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    return working_calendar(_around(day)).next_working_day(day)


def previous_working_day(day: dt.date) -> dt.date:
    """The last working day strictly before ``day``."""
    return working_calendar(_around(day)).previous_working_day(day)
