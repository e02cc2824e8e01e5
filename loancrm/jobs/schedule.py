"""Recurring schedules (pure: no Django): every N minutes, daily at HH:MM, weekly on given weekdays.

Invariants: slots are computed in the given time zone (the project's, passed in); ``latest_slot(now)`` is the most
recent slot at or before ``now``; ``next_slot(after)`` is the first slot strictly after ``after``;
``due_slots(spec, last, now)`` lists the slots in (last, now], oldest first. Every-N-minutes slots are aligned to
local midnight (N must divide a day) so all schedulers agree on them.
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


def next_slot(spec: Schedule, after: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The first slot of ``spec`` strictly after ``after``."""
    return spec.next_slot(after, tz)


def due_slots(
    spec: Schedule, last_slot: dt.datetime | None, now: dt.datetime, tz: ZoneInfo, *, limit: int = 100
) -> list[dt.datetime]:
    """Slots after ``last_slot`` and at or before ``now``, oldest first, at most the newest ``limit``.

    With no ``last_slot`` (never ran) only the latest slot is due. The scheduler starts only the last one.
    """
    latest = spec.latest_slot(now, tz)
    if latest is None or (last_slot is not None and latest <= last_slot):
        return []
    if last_slot is None:
        return [latest]
    slots: list[dt.datetime] = []
    slot: dt.datetime | None = latest
    while slot is not None and slot > last_slot and len(slots) < limit:
        slots.append(slot)
        slot = spec.latest_slot(slot - dt.timedelta(microseconds=1), tz)
    return slots[::-1]


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
