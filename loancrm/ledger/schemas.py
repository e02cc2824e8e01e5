"""API schemas of the ledger. Amounts are decimal strings with two places (CNY 元)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from loancrm.ledger.sums import from_fen


class TrialBalanceQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM: that month's trial balance (overrides the dates)")
    as_of: dt.date | None = Field(None, description="Closing date; defaults to the business date")
    date_from: dt.date | None = Field(None, description="First day of the movements; defaults to as_of's month start")


class AccountBalanceOut(Schema):
    code: str
    kind: str
    name: str = Field(..., description="In the request's language")
    name_zh: str
    name_en: str
    debit_normal: bool
    opening: Decimal
    debits: Decimal
    credits: Decimal
    closing: Decimal = Field(..., description="On the account's normal side")


class TrialBalanceOut(Schema):
    date_from: dt.date
    as_of: dt.date
    balanced: bool
    total_debits: Decimal
    total_credits: Decimal
    debit_balances: Decimal
    credit_balances: Decimal
    difference: Decimal = Field(..., description="All debits − all credits through as_of; 0 when balanced")
    accounts: list[AccountBalanceOut]

    @staticmethod
    def resolve_accounts(obj: Any) -> list[Any]:
        return list(obj.rows)


class EntryFilters(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""
    account: str = Field("", description="Account code the entry has a line on")
    contract_no: str = ""
    amount_min: Decimal | None = Field(None, ge=0, decimal_places=2)
    amount_max: Decimal | None = Field(None, ge=0, decimal_places=2)


class EntryOut(Schema):
    id: int
    entry_date: dt.date
    kind: str
    memo: str
    loan_id: int | None
    contract_no: str | None
    amount: Decimal = Field(..., description="The entry's debits (= its credits)")
    reverses_id: int | None
    reversed_by_id: int | None
    posted_at: dt.datetime
    posted_by: str | None

    @staticmethod
    def resolve_contract_no(obj: Any) -> str | None:
        return obj.loan.contract_no if obj.loan_id else None

    @staticmethod
    def resolve_amount(obj: Any) -> Decimal:
        return from_fen(obj.total_fen)

    @staticmethod
    def resolve_reversed_by_id(obj: Any) -> int | None:
        return obj.reversed_by_pk

    @staticmethod
    def resolve_posted_by(obj: Any) -> str | None:
        return obj.posted_by.username if obj.posted_by_id else None


class LineOut(Schema):
    account: str = Field(..., description="Account code")
    account_name: str = Field(..., description="In the request's language")
    loan_id: int | None
    contract_no: str | None
    debit: Decimal
    credit: Decimal

    @staticmethod
    def resolve_account(obj: Any) -> str:
        return obj.account.code

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return obj.account.name

    @staticmethod
    def resolve_contract_no(obj: Any) -> str | None:
        return obj.loan.contract_no if obj.loan_id else None


class EntryDetailOut(EntryOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.detail_lines)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, description="Why the period is closed or reopened (audited)")


class PeriodOut(Schema):
    month: str = Field(..., description="YYYY-MM")
    status: str = Field(..., description="open | closed")
    closed_at: dt.datetime | None
    closed_by: str | None
    entries: int | None = None
    ended: bool | None = None
    can_close: bool | None = None
    can_reopen: bool | None = None
