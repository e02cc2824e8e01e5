"""API schemas of the core app (business date and calendar)."""

import datetime as dt

from ninja import Field, Schema


class BusinessDateOut(Schema):
    business_date: dt.date


class BusinessDateIn(Schema):
    date: dt.date
    reason: str = Field(..., min_length=1, max_length=200)


class CalendarDayOut(Schema):
    id: int
    date: dt.date
    kind: str
    name: str


class CalendarDayIn(Schema):
    date: dt.date
    kind: str = Field(..., pattern="^(holiday|workday)$")
    name: str = Field(..., min_length=1, max_length=60)


class WorkingDayOut(Schema):
    date: dt.date
    is_working_day: bool
    next_working_day: dt.date
