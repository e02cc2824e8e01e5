"""API schemas of the business date and the working-day calendar."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

CalendarKind = Literal["holiday", "workday"]


class BusinessDateOut(Schema):
    business_date: dt.date


class BusinessDateIn(Schema):
    date: dt.date = Field(..., description="The new business date, YYYY-MM-DD")
    reason: str = Field(..., min_length=1, max_length=200, description="Why the date is changed (audited)")


class CalendarDayOut(Schema):
    id: int
    date: dt.date
    kind: CalendarKind
    name: str


class CalendarDayIn(Schema):
    date: dt.date
    kind: CalendarKind = Field(..., description="holiday, or workday (a Saturday or Sunday worked, 调休上班)")
    name: str = Field(..., min_length=1, max_length=60)


class CalendarDayFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Defaults to the business date's year")
    kind: CalendarKind | None = None


class WorkingDayOut(Schema):
    date: dt.date
    is_working_day: bool
    next_working_day: dt.date
