"""Reading the system business date (营业日) and the working-day calendar.

The business date is one row; until it is initialised it is today's date in the project time zone.
Weekends are non-working unless the calendar marks them as adjusted working days (调休); weekdays are
working unless the calendar marks them as holidays.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def current_business_date() -> dt.date:
    """The system business date; today's local date if none was ever set."""
    from loancrm.core.models import BusinessDate

    row = BusinessDate.objects.filter(singleton=1).only("current").first()
    return row.current if row else timezone.localdate()
