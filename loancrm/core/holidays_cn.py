"""Official holiday arrangements of the State Council (国务院办公厅关于部分节假日安排的通知).

Administrators must check each year against the published notice before relying on it; the import only adds
dates that are not in the calendar yet. Names are data, stored as officially published (Chinese).
"""

from __future__ import annotations

import datetime as dt

NEW_YEAR = "元旦"
SPRING = "春节"
QINGMING = "清明节"
LABOUR = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL = "国庆节"
ADJUSTED = "调休上班"


def _span(year: int, start: tuple[int, int], end: tuple[int, int], name: str) -> list[tuple[dt.date, str]]:
    first, last = dt.date(year, *start), dt.date(year, *end)
    return [(first + dt.timedelta(days=i), name) for i in range((last - first).days + 1)]


# year → (holidays, adjusted working days)
ARRANGEMENTS: dict[int, tuple[list[tuple[dt.date, str]], list[tuple[dt.date, str]]]] = {
    2025: (
        _span(2025, (1, 1), (1, 1), NEW_YEAR)
        + _span(2025, (1, 28), (2, 4), SPRING)
        + _span(2025, (4, 4), (4, 6), QINGMING)
        + _span(2025, (5, 1), (5, 5), LABOUR)
        + _span(2025, (5, 31), (6, 2), DRAGON_BOAT)
        + _span(2025, (10, 1), (10, 8), NATIONAL),
        [(dt.date(2025, m, d), ADJUSTED) for m, d in ((1, 26), (2, 8), (4, 27), (9, 28), (10, 11))],
    ),
    2026: (
        _span(2026, (1, 1), (1, 3), NEW_YEAR)
        + _span(2026, (2, 15), (2, 23), SPRING)
        + _span(2026, (4, 4), (4, 6), QINGMING)
        + _span(2026, (5, 1), (5, 5), LABOUR)
        + _span(2026, (6, 19), (6, 21), DRAGON_BOAT)
        + _span(2026, (9, 25), (9, 27), MID_AUTUMN)
        + _span(2026, (10, 1), (10, 7), NATIONAL),
        [(dt.date(2026, m, d), ADJUSTED) for m, d in ((1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10))],
    ),
}


def official_years() -> list[int]:
    return sorted(ARRANGEMENTS)
