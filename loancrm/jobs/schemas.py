"""API schemas of the job monitor."""

import datetime as dt

from ninja import Field, Schema


class JobOut(Schema):
    name: str
    label: str
    description: str
    schedule: str
    per_business_date: bool
    rerunnable: bool


class JobRunOut(Schema):
    id: int
    name: str
    business_date: dt.date
    run_key: str
    status: str
    total: int
    processed: int
    failed_count: int
    progress: float
    percent: int
    attempt: int
    cursor: dict[str, object]
    error: str
    triggered_by_id: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None


class JobRunDetailOut(JobRunOut):
    log: str


class JobStartIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    business_date: dt.date | None = None


class RunFilters(Schema):
    name: str = ""
    status: str = Field("", pattern="^(|pending|running|succeeded|failed)$")
