"""API shapes of the follow-up module."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class FollowUpIn(Schema):
    lead_id: int
    points: str = Field(..., max_length=2000)
    intention_before: str
    intention_after: str
    outcome: str
    method: str = "call"
    refusal_reason_id: int | None = None
    next_contact_at: dt.datetime | None = None


class FollowUpOut(Schema):
    id: int
    lead_id: int
    outcome: str
    intention_before: str
    intention_after: str
    created_at: dt.datetime


class TaskOut(Schema):
    id: int
    lead_id: int
    kind: str
    status: str
    due_at: dt.datetime
    assignee: str = Field(..., alias="assignee.username")
    overdue: bool = Field(..., alias="is_overdue")


class TaskFilters(Schema):
    status: str = ""
    kind: str = ""
    overdue: str = ""
    mine: str = ""


class TaskCloseIn(Schema):
    done: bool = True
    note: str = Field("", max_length=200)


class InteractionOut(Schema):
    id: int | None  # None for the arrival entry, which is read from the lead itself
    kind: str
    summary: str
    body: str
    actor: str | None = Field(None, alias="actor.username")
    occurred_at: dt.datetime
    has_recording: bool

    @staticmethod
    def resolve_has_recording(obj: object) -> bool:
        return bool(getattr(obj, "recording", None))


class ScriptOut(Schema):
    id: int
    kind: str
    title: str
    product: str
    stage: str
    body: str
    keywords: str


class ScriptFilters(Schema):
    q: str = ""
    kind: str = ""
    product: str = ""
    stage: str = ""
