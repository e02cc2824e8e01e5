"""API schemas of the payments: channel notifications, posting requests (maker-checker), the payoff quote."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from loancrm.core.money import money_str

PostingKindIn = Literal["payment", "prepayment", "payoff", "reversal"]
RequestStatusIn = Literal["pending", "approved", "rejected", "failed"]


class NotificationIn(Schema):
    """Documentation of the notification body (the endpoint verifies the raw bytes, then parses them)."""

    channel_txn_id: str = Field(..., max_length=64, description="The channel's id of the payment (idempotency key)")
    contract_no: str = Field(..., max_length=40)
    amount: str = Field(..., description='Positive, at most two decimals, as a string: "3000.00"')
    paid_at: dt.datetime = Field(..., description="ISO 8601 with offset: 2026-02-15T10:30:00+08:00")


class NotificationAccepted(Schema):
    result: Literal["success"]
    transaction_id: int


class NotificationRefused(Schema):
    result: Literal["refused"]
    code: str
    message: str
    fields: dict[str, list[str]]


class PostingRequestIn(Schema):
    kind: PostingKindIn
    contract_no: str | None = Field(None, max_length=40, description="The loan, by contract number …")
    loan_id: int | None = Field(None, description="… or by id")
    reason: str = Field(..., max_length=200)
    amount: str | None = Field(None, description="payment, prepayment; payoff (defaults to the quote's total)")
    value_date: dt.date | None = Field(None, description="payment, prepayment, payoff; not after the business date")
    keep: Literal["term", "payment"] = Field("term", description="prepayment: keep the term or the instalment")
    use_advance: bool = Field(False, description="prepayment: add the advance the loan holds")
    channel: str | None = Field(None, max_length=30, description="Channel code; none: cash / suspense account")
    reference: str = Field("", max_length=80)
    transaction_id: int | None = Field(None, description="reversal: the transaction to reverse")


class DecisionIn(Schema):
    note: str = Field("", max_length=200)


class RejectIn(Schema):
    note: str = Field(..., min_length=1, max_length=200)


class RequestFilters(Schema):
    kind: PostingKindIn | None = None
    status: RequestStatusIn | None = None
    contract_no: str | None = Field(None, max_length=40, description="Contract number prefix")


class PostingRequestOut(Schema):
    id: int
    kind: str
    status: str
    contract_no: str
    loan_id: int
    amount: str | None
    value_date: dt.date | None
    keep: str
    use_advance: bool
    channel: str | None
    reference: str
    reason: str
    target_transaction_id: int | None
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    transaction_id: int | None

    @staticmethod
    def resolve_contract_no(obj: Any) -> str:
        return str(obj.loan.contract_no)

    @staticmethod
    def resolve_amount(obj: Any) -> str | None:
        return money_str(obj.amount) if obj.amount is not None else None

    @staticmethod
    def resolve_keep(obj: Any) -> str:
        return _keep(obj)[0]

    @staticmethod
    def resolve_use_advance(obj: Any) -> bool:
        return _keep(obj)[1]

    @staticmethod
    def resolve_channel(obj: Any) -> str | None:
        return obj.channel.code if obj.channel_id else None

    @staticmethod
    def resolve_target_transaction_id(obj: Any) -> int | None:
        return obj.target_id

    @staticmethod
    def resolve_requested_by(obj: Any) -> str:
        return str(obj.requested_by.get_username())

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by_id else None


def _keep(row: Any) -> tuple[str, bool]:
    from loancrm.loans.choices import PostingKind
    from loancrm.loans.postings import keep_option

    if row.kind != PostingKind.PREPAYMENT:
        return "", False
    return keep_option(row.keep)


class DecisionOut(PostingRequestOut):
    error: dict[str, Any] | None = Field(None, description="When the loans service refused: {code, message, fields}")


class QuoteFilters(Schema):
    contract_no: str = Field(..., min_length=1, max_length=40)
    as_of: dt.date | None = Field(None, description="Defaults to the business date")


class QuoteOut(Schema):
    contract_no: str
    as_of: dt.date
    overdue: str
    interest_to_date: str
    fee: str
    principal: str
    advance: str
    total: str
