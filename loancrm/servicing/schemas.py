"""API schemas of the overdue pages: the list's filters and rows, the bucket summary.

Money is a string with exactly two decimals ("8606.64"); shares are fractions with four ("0.1250").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from loancrm.loans.schemas import Money
from loancrm.servicing.selectors import DEFAULT_OVERDUE_SORT, OVERDUE_SORTS, risk_class_label

SORT_PATTERN = rf"^-?({'|'.join(OVERDUE_SORTS)})$"


class OverdueFilters(Schema):
    bucket: str = Field("", description="bucket code (M1 … M7+)")
    product: str = ""
    branch: int | None = Field(None, description="org unit id: loans of the unit and the units below it")
    dpd_min: int | None = Field(None, ge=0, description="days past due at least")
    dpd_max: int | None = Field(None, ge=0, description="days past due at most")
    amount_min: Decimal | None = Field(None, ge=0, description="overdue amount at least")
    amount_max: Decimal | None = Field(None, ge=0, description="overdue amount at most")
    sort: str = Field(DEFAULT_OVERDUE_SORT, pattern=SORT_PATTERN, description="a column, '-' first for descending")


class PortfolioFilters(Schema):
    product: str = ""
    branch: int | None = Field(None, description="org unit id: loans of the unit and the units below it")


class OverdueLoanOut(Schema):
    id: int
    contract_no: str
    customer_id: int
    customer_number: str | None
    customer_name: str
    product_code: str
    branch: str | None
    officer: str | None
    status: str
    dpd: int
    bucket: str
    risk_class: str
    risk_class_label: str
    overdue_principal: Money
    overdue_interest: Money
    overdue_fee: Money
    overdue_penalty: Money
    overdue_amount: Money
    principal_outstanding: Money
    oldest_due_date: dt.date | None

    @staticmethod
    def resolve_customer_number(obj: Any) -> str | None:
        return obj.customer.number

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_branch(obj: Any) -> str | None:
        return obj.org_unit.name if obj.org_unit_id else None

    @staticmethod
    def resolve_officer(obj: Any) -> str | None:
        return obj.officer.username if obj.officer_id else None

    @staticmethod
    def resolve_risk_class_label(obj: Any) -> str:
        return risk_class_label(obj.risk_class)


class SummaryRowOut(Schema):
    code: str
    label: str
    min_dpd: int
    max_dpd: int | None
    loans: int
    balance: Money
    loan_share: Decimal
    balance_share: Decimal


class BucketSummaryOut(Schema):
    business_date: dt.date
    loans: int
    balance: Money
    buckets: list[SummaryRowOut]
    classes: list[SummaryRowOut]
