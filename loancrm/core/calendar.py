"""Working-day arithmetic over a holiday calendar (pure: no Django).

Invariants: Monday–Friday are working days unless listed as holidays; Saturday and Sunday are not, unless
listed as adjusted working days (调休上班); a date is never both. For every date ``d`` and count ``n``,
``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

ONE_DAY = dt.timedelta(days=1)
MAX_SCAN_DAYS = 366


class Roll(StrEnum):
    """How a date that falls on a non-working day moves (e.g. a due date on a holiday)."""

    NONE = "none"
    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"


@dataclass(frozen=True)
class WorkingCalendar:
    """The Monday–Friday week with its exceptions: ``holidays`` (days off) and ``workdays`` (weekend days on)."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        holidays, workdays = frozenset(self.holidays), frozenset(self.workdays)
        if holidays & workdays:
            raise ValueError(f"dates both holiday and working day: {sorted(holidays & workdays)}")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)

    @classmethod
    def of(cls, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> WorkingCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self._scan(day, 1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        return self._scan(day, -1)

    def _scan(self, day: dt.date, step: int) -> dt.date:
        try:
            for _ in range(MAX_SCAN_DAYS):
                day += step * ONE_DAY
                if self.is_working_day(day):
                    return day
        except OverflowError as exc:
            raise ValueError("date out of range") from exc
        raise ValueError("no working day within a year")

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """Move ``count`` working days forward (negative: backward) from ``day``; 0 returns ``day`` itself."""
        step = 1 if count >= 0 else -1
        for _ in range(abs(count)):
            day = self._scan(day, step)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Signed working days passed going from ``start`` to ``end``.

        Forward: working days in (start, end]; backward: minus the working days in [end, start).
        """
        if end >= start:
            days = range(1, (end - start).days + 1)
            return sum(1 for offset in days if self.is_working_day(start + offset * ONE_DAY))
        return -sum(1 for offset in range((start - end).days) if self.is_working_day(end + offset * ONE_DAY))

    def roll(self, day: dt.date, convention: Roll | str) -> dt.date:
        """Move a non-working ``day`` by the convention; working days stay put.

        following: next working day; preceding: previous one; modified_following: the next one unless it is in
        another month, then the previous one; none: unchanged. An unknown convention raises ValueError.
        """
        convention = Roll(convention)
        if convention == Roll.NONE or self.is_working_day(day):
            return day
        if convention == Roll.FOLLOWING:
            return self.next_working_day(day)
        if convention == Roll.PRECEDING:
            return self.previous_working_day(day)
        following = self.next_working_day(day)
        return following if following.month == day.month else self.previous_working_day(day)
