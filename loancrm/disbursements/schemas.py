"""API schemas of disbursement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class RequestIn(Schema):
    idempotency_key: str | None = Field(None, max_length=64, description="A repeat with the same key returns its order")


class CheckOut(Schema):
    code: str
    label: str
    passed: bool
    detail: str


class AttemptOut(Schema):
    number: int
    status: str
    channel_reference: str
    submitted_at: dt.datetime
    answered_at: dt.datetime | None
    failure_reason: str


class OrderOut(Schema):
    id: int
    contract_no: str
    amount: Decimal
    status: str
    status_label: str
    channel_code: str
    account: str
    attempts: list[AttemptOut]
    failure_reason: str
    loan_id: int | None
    created_at: dt.datetime


class StatusOut(Schema):
    application: str
    application_status: str
    contract_no: str
    ready: bool
    checklist: list[CheckOut]
    order: OrderOut | None


class CallbackIn(Schema):
    """Documentation of the callback body (the endpoint verifies the raw bytes, then parses them)."""

    channel_reference: str = Field(..., max_length=64, description="The attempt's reference returned by submit")
    contract_no: str = Field(..., max_length=40)
    amount: str = Field(..., description='The order amount as a string: "50000.00"')
    status: Literal["succeeded", "failed"]
    reason: str = Field("", max_length=200)


class CallbackAccepted(Schema):
    result: Literal["success"]
    order_id: int
    attempt: int
    status: str


class CallbackRefused(Schema):
    result: Literal["refused"]
    code: str
    message: str
    fields: dict[str, list[str]]
