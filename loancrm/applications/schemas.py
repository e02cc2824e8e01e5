"""API schemas of channel-partner applications (the applicant's PII is never echoed back)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import BaseModel


class ApplicantIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=120, examples=["张三"])
    id_number: str = Field(..., min_length=1, max_length=30, description="18-character resident ID number")
    mobile: str = Field(..., min_length=1, max_length=30)


class ApplicationIn(BaseModel):
    applicant: ApplicantIn
    product_code: str = Field(..., min_length=1, max_length=40, examples=["CASH"])
    external_ref: str = Field(
        ..., min_length=1, max_length=64, description="the partner's id; makes the call idempotent"
    )
    amount: Decimal = Field(..., description="CNY, two decimals")
    term_months: int = Field(..., ge=1, le=600)
    method: str = Field(..., max_length=30, examples=["equal_installment"])
    annual_rate: Decimal | None = Field(None, description="annual fraction; default: the product's default rate")
    purpose: str | None = Field(None, max_length=20, examples=["consumption"])
    monthly_income: Decimal | None = None
    monthly_debt: Decimal | None = Field(None, description="existing monthly repayments")
    employment_years: Decimal | None = None
    housing: str | None = Field(None, max_length=12, examples=["rented"])
    region: str | None = Field(None, max_length=6, description="6-digit division code; default from the ID number")
    submit: bool = Field(False, description="submit right away (all or nothing)")

    def values(self) -> dict[str, Any]:
        names = ("amount", "term_months", "method", "annual_rate", "purpose", "monthly_income", "monthly_debt",
                 "employment_years", "housing", "region")  # fmt: skip
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


class ApplicationOut(Schema):
    number: str
    status: str
    status_label: str
    external_ref: str
    product_code: str
    amount: Decimal
    term_months: int
    method: str
    annual_rate: Decimal
    purpose: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    decision: dict[str, Any] | None = Field(None, description="the automated decision's outcome, once decided")
