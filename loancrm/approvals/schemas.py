"""API shapes of approval cases and actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class CaseOut(Schema):
    id: int
    application: str
    status: str
    route_code: str
    round: int
    current_step: int
    steps: int
    amount: Decimal
    requested_amount: Decimal
    risk_level: str
    updated_at: dt.datetime
    acting_for: list[str] = []


class ActIn(Schema):
    action: str
    comment: str
    amount: Decimal | None = None


class ActionOut(Schema):
    id: int
    case: int
    step: int
    action: str
    actor: str
    acting_for: str | None
    amount: Decimal | None
    case_status: str
