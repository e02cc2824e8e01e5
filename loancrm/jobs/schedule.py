"""Recurring schedules (pure: no Django): every N minutes, daily at HH:MM, weekly on given weekdays.

Invariants: slots are computed in the given time zone; ``latest_slot(now)`` is the most recent slot at or before
``now``; ``next_slot(after)`` is the first slot strictly after ``after``. Every-N-minutes slots are aligned to
midnight so all schedulers agree on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Schedule:
    kind: str  # "every" | "daily" | "weekly"
    minutes: int = 0
    at: dt.time = dt.time(0, 0)
    weekdays: tuple[int, ...] = ()  # Monday = 0

    def latest_slot(self, now: dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
        """The most recent slot at or before ``now`` within the last eight days (None if there is none)."""
        local = now.astimezone(tz)
        if self.kind == "every":
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            elapsed = int((local - midnight).total_seconds() // 60)
            return midnight + dt.timedelta(minutes=elapsed - elapsed % self.minutes)
        for days_back in range(8):
            day = local.date() - dt.timedelta(days=days_back)
            candidate = dt.datetime.combine(day, self.at, tzinfo=tz)
            if candidate <= local and (self.kind == "daily" or day.weekday() in self.weekdays):
                return candidate
        return None

    def next_slot(self, after: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        """The first slot strictly after ``after``."""
        local = after.astimezone(tz)
        if self.kind == "every":
            latest = self.latest_slot(local, tz)
            assert latest is not None
            return latest + dt.timedelta(minutes=self.minutes)
        for days_ahead in range(9):
            day = local.date() + dt.timedelta(days=days_ahead)
            candidate = dt.datetime.combine(day, self.at, tzinfo=tz)
            if candidate > local and (self.kind == "daily" or day.weekday() in self.weekdays):
                return candidate
        raise ValueError("schedule has no slot within a week")


def every(minutes: int) -> Schedule:
    if not 1 <= minutes <= 24 * 60 or (24 * 60) % minutes:
        raise ValueError("minutes must divide a day (1, 2, 5, 10, 15, 30, 60, …)")
    return Schedule(kind="every", minutes=minutes)


def daily(at: str) -> Schedule:
    return Schedule(kind="daily", at=dt.time.fromisoformat(at))


def weekly(weekdays: tuple[int, ...], at: str) -> Schedule:
    if not weekdays or any(not 0 <= d <= 6 for d in weekdays):
        raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
    return Schedule(kind="weekly", at=dt.time.fromisoformat(at), weekdays=tuple(sorted(set(weekdays))))
