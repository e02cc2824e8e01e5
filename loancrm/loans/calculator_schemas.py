"""API schemas of the loan calculator. Money travels as strings with two decimals, rates as fraction strings."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from loancrm.loans.schedule import Method


class ScheduleIn(Schema):
    principal: str = Field(..., description="Amount in yuan, at most two decimals", examples=["100000.00"])
    annual_rate: str = Field(..., description="Annual rate as a fraction from 0 to 1 (6 % is 0.06)", examples=["0.06"])
    term_months: int | None = Field(None, description="1 to 600; may be left out for a bullet loan with term_days")
    method: Method = Field(..., description="Repayment method")
    start_date: str = Field(..., description="Disbursement date, YYYY-MM-DD", json_schema_extra={"format": "date"})
    term_days: int | None = Field(None, description="Bullet only: maturity in days instead of months")


class InstallmentOut(Schema):
    period: int
    due_date: dt.date
    principal: str
    interest: str
    payment: str
    balance: str = Field(..., description="Principal still owed after the period")


class ScheduleOut(Schema):
    installments: list[InstallmentOut]
    total_principal: str
    total_interest: str
    total_payment: str


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]
