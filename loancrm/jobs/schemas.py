"""API schemas of the job monitor."""

import datetime as dt

from ninja import Field, Schema


class JobOut(Schema):
    name: str
    label: str
    schedule: str
    per_business_date: bool


class JobRunOut(Schema):
    id: int
    name: str
    business_date: dt.date
    run_key: str
    status: str
    total: int
    processed: int
    failed_count: int
    percent: int
    attempt: int
    cursor: dict[str, object]
    error: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class JobStartIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    business_date: dt.date | None = None


class RunFilters(Schema):
    name: str = ""
    status: str = Field("", pattern="^(|pending|running|succeeded|failed)$")
