"""Official holiday arrangements of the State Council (国务院办公厅关于部分节假日安排的通知).

The arrangement is published each year (usually in November for the following year). Administrators must
verify every year's entries here against the published notice before importing them, and add the new year's
notice here when it appears. The import only adds dates that are not in the calendar yet, so local corrections
made on the calendar page survive a re-import.

Names are English msgids; the import stores them in the default language (``settings.LANGUAGE_CODE``).
"""

from __future__ import annotations

import datetime as dt

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NEW_YEAR = _("New Year's Day")
SPRING = _("Spring Festival")
QINGMING = _("Qingming Festival")
LABOUR = _("Labour Day")
DRAGON_BOAT = _("Dragon Boat Festival")
MID_AUTUMN = _("Mid-Autumn Festival")
NATIONAL = _("National Day")
ADJUSTED = _("Adjusted working day")

Entry = tuple[dt.date, Promise]


def _span(year: int, start: tuple[int, int], end: tuple[int, int], name: Promise) -> list[Entry]:
    first, last = dt.date(year, *start), dt.date(year, *end)
    return [(first + dt.timedelta(days=i), name) for i in range((last - first).days + 1)]


def _workdays(year: int, *days: tuple[int, int]) -> list[Entry]:
    return [(dt.date(year, month, day), ADJUSTED) for month, day in days]


# year → (holidays, adjusted working days)
ARRANGEMENTS: dict[int, tuple[list[Entry], list[Entry]]] = {
    # 2025: National Day and the Mid-Autumn Festival (6 October) form one holiday, 1–8 October.
    2025: (
        _span(2025, (1, 1), (1, 1), NEW_YEAR)
        + _span(2025, (1, 28), (2, 4), SPRING)
        + _span(2025, (4, 4), (4, 6), QINGMING)
        + _span(2025, (5, 1), (5, 5), LABOUR)
        + _span(2025, (5, 31), (6, 2), DRAGON_BOAT)
        + _span(2025, (10, 1), (10, 5), NATIONAL)
        + _span(2025, (10, 6), (10, 6), MID_AUTUMN)
        + _span(2025, (10, 7), (10, 8), NATIONAL),
        _workdays(2025, (1, 26), (2, 8), (4, 27), (9, 28), (10, 11)),
    ),
    2026: (
        _span(2026, (1, 1), (1, 3), NEW_YEAR)
        + _span(2026, (2, 15), (2, 23), SPRING)
        + _span(2026, (4, 4), (4, 6), QINGMING)
        + _span(2026, (5, 1), (5, 5), LABOUR)
        + _span(2026, (6, 19), (6, 21), DRAGON_BOAT)
        + _span(2026, (9, 25), (9, 27), MID_AUTUMN)
        + _span(2026, (10, 1), (10, 7), NATIONAL),
        _workdays(2026, (1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)),
    ),
}


def official_years() -> list[int]:
    """Years whose official arrangement is on file."""
    return sorted(ARRANGEMENTS)
