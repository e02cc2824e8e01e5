"""Reading the system business date (营业日) and the working-day calendar.

The business date is one row; until it is initialised it is today's local date. The calendar is built from
``CalendarDay`` rows (holidays and adjusted working days) over the standard Monday–Friday week.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from loancrm.core.calendar import WorkingCalendar


def current_business_date() -> dt.date:
    """The system business date; today's local date if none was ever set."""
    from loancrm.core.models import BusinessDate

    row = BusinessDate.objects.filter(singleton=1).only("current").first()
    return row.current if row else timezone.localdate()


def working_calendar(start: dt.date | None = None, end: dt.date | None = None) -> WorkingCalendar:
    """The calendar from the database, optionally limited to [start, end] for large histories."""
    from loancrm.core.models import CalendarDay

    rows = CalendarDay.objects.all()
    if start is not None:
        rows = rows.filter(date__gte=start)
    if end is not None:
        rows = rows.filter(date__lte=end)
    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    for day, kind in rows.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).append(day)
    return WorkingCalendar.of(holidays, workdays)


def is_working_day(day: dt.date) -> bool:
    return working_calendar(day, day).is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    return working_calendar(day, day + dt.timedelta(days=400)).next_working_day(day)
