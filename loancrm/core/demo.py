"""Demo data of the core app: the business date (today) and the official holidays on file."""

from __future__ import annotations

from django.utils import timezone

from loancrm.core import services
from loancrm.core.holidays_cn import official_years


def seed() -> list[str]:
    services.business_date_initialise(date=timezone.localdate())
    for year in official_years():
        services.calendar_import_year(year=year, actor=None)
    return []
