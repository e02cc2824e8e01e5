"""The SLA countdown badge of a review case. Pure: no Django."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

OK, SOON, OVERDUE = "ok", "soon", "overdue"


@dataclass(frozen=True)
class Countdown:
    state: str  # ok / soon / overdue
    minutes: int  # minutes left (negative: overdue by)

    @property
    def parts(self) -> tuple[int, int, int]:
        """(days, hours, minutes) of the time left (or overdue)."""
        hours, minutes = divmod(abs(self.minutes), 60)
        days, hours = divmod(hours, 24)
        return days, hours, minutes

    @property
    def text(self) -> str:
        days, hours, minutes = self.parts
        if days:
            return f"{days}d {hours}h"
        return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def countdown(due_at: dt.datetime, now: dt.datetime, *, remind_before: dt.timedelta) -> Countdown:
    minutes = int((due_at - now).total_seconds() // 60)
    if due_at <= now:
        return Countdown(OVERDUE, minutes)
    return Countdown(SOON if due_at - now <= remind_before else OK, minutes)
