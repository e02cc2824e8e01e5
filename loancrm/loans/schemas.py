"""API schemas of loan accounts: list rows, the loan summary, schedule rows and transactions.

Money is a string with exactly two decimals ("8606.64"), rates an annual fraction with six ("0.060000"); the
customer's personal data is masked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from loancrm.core.masking import mask_id_number, mask_mobile
from loancrm.core.money import money_str
from loancrm.loans.loan_selectors import LIST_SORTS


def _money(value: Any) -> str:
    return money_str(value if isinstance(value, Decimal) else Decimal(str(value)))


def _rate(value: Any) -> str:
    return f"{Decimal(str(value)):.6f}"


Money = Annotated[str, BeforeValidator(_money), Field(pattern=r"^-?\d+\.\d{2}$", examples=["8606.64"])]
Rate = Annotated[str, BeforeValidator(_rate), Field(pattern=r"^\d+\.\d{6}$", examples=["0.060000"])]
SORT_PATTERN = rf"^-?({'|'.join(LIST_SORTS)})$"


class LoanFilters(Schema):
    q: str = Field("", description="contract number (prefix), customer name or customer number")
    status: str = Field("", description="active | overdue | paid_off | written_off")
    product: str = ""
    start_from: dt.date | None = Field(None, description="disbursed on or after")
    start_to: dt.date | None = Field(None, description="disbursed on or before")
    overdue: bool = Field(False, description="only loans with an instalment unpaid past its due date")
    sort: str = Field("-start", pattern=SORT_PATTERN, description="a column, '-' first for descending")


class LoanOut(Schema):
    id: int
    contract_no: str
    customer_id: int
    customer_number: str | None
    customer_name: str
    product_code: str
    origin: str
    method: str
    principal: Money
    annual_rate: Rate
    term_months: int
    start_date: dt.date
    maturity_date: dt.date
    status: str
    principal_outstanding: Money
    advance_balance: Money
    next_due_date: dt.date | None = Field(None, description="first instalment of the current schedule still owing")
    is_overdue: bool = Field(False, description="an instalment is unpaid past its due date on the business date")
    officer: str | None

    @staticmethod
    def resolve_customer_number(obj: Any) -> str | None:
        return obj.customer.number

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_officer(obj: Any) -> str | None:
        return obj.officer.username if obj.officer_id else None


class CustomerRef(Schema):
    id: int
    number: str | None
    name: str
    id_number: str = Field(..., description="masked")
    primary_mobile: str = Field(..., description="masked")


class NextDueOut(Schema):
    period: int
    due_date: dt.date
    amount: Money


class LoanDetailOut(LoanOut):
    customer: CustomerRef
    day_count: int
    allocation_order: str
    schedule_version: int
    paid_off_on: dt.date | None
    written_off_on: dt.date | None
    booked_at: dt.datetime
    next_due: NextDueOut | None
    days_past_due: int

    @staticmethod
    def resolve_customer(obj: Any) -> dict[str, Any]:
        return customer_ref(obj.customer)


class InstallmentOut(Schema):
    period: int
    due_date: dt.date
    principal_due: Money
    interest_due: Money
    fee_due: Money
    penalty_due: Money
    principal_paid: Money
    interest_paid: Money
    fee_paid: Money
    penalty_paid: Money
    due_total: Money
    paid_total: Money
    state: str = Field(..., description="paid | overdue | due | partial | pending (on the business date)")
    paid_on: dt.date | None


class ScheduleTotals(Schema):
    principal_due: Money
    interest_due: Money
    fee_due: Money
    penalty_due: Money
    principal_paid: Money
    interest_paid: Money
    fee_paid: Money
    penalty_paid: Money
    due_total: Money
    paid_total: Money


class ScheduleOut(Schema):
    loan_id: int
    version: int
    current_version: int
    is_current: bool
    versions: list[int] = Field(..., description="every schedule version, newest first")
    superseded_by_transaction: int | None = Field(None, description="the prepayment that replaced this version")
    rows: list[InstallmentOut]
    totals: ScheduleTotals


class TransactionOut(Schema):
    id: int
    kind: str
    status: str = Field(..., description="posted | reversed")
    source: str
    amount: Money
    principal: Money
    interest: Money
    penalty: Money
    fee: Money
    advance: Money = Field(..., description="added to (negative: taken from) the advance held")
    value_date: dt.date
    channel: str | None
    reference: str
    reverses_id: int | None = Field(None, description="for a reversal: the transaction it reverses")
    reversed_by_id: int | None = Field(None, description="for a reversed transaction: its reversal")
    reason: str
    from_version: int | None
    to_version: int | None
    posted_at: dt.datetime
    posted_by: str | None

    @staticmethod
    def resolve_channel(obj: Any) -> str | None:
        return obj.channel.code if obj.channel_id else None

    @staticmethod
    def resolve_posted_by(obj: Any) -> str | None:
        return obj.posted_by.username if obj.posted_by_id else None


def customer_ref(customer: Any) -> dict[str, Any]:
    primary = customer.primary_mobile
    return {
        "id": customer.pk,
        "number": customer.number,
        "name": customer.name,
        "id_number": mask_id_number(customer.id_number),
        "primary_mobile": mask_mobile(primary.mobile) if primary else "",
    }
