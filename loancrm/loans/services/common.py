"""What every money service needs first: the locked loan, its current schedule, checked inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F

from loancrm.core.business_date import current_business_date
from loancrm.core.money import to_money
from loancrm.loans.choices import OPEN_STATUSES
from loancrm.loans.errors import FutureValueDate, InvalidAmount, LoanNotFound, LoanNotOpen
from loancrm.loans.models import Installment, Loan


def lock_loan(loan_id: int) -> Loan:
    """The loan, row-locked until the end of the caller's transaction."""
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise LoanNotFound
    return loan


def lock_open_loan(loan_id: int) -> Loan:
    loan = lock_loan(loan_id)
    if loan.status not in OPEN_STATUSES:
        raise LoanNotOpen(fields={"loan": [loan.get_status_display()]})
    return loan


def lock_with_rows(
    loan_id: int | None = None, *, contract_no: str | None = None, open_only: bool = True
) -> tuple[Loan, list[Installment]]:
    """The row-locked loan (by id or contract number) and its current schedule in one query (only the loan row is
    locked); ``LoanNotFound`` / ``LoanNotOpen`` (unless ``open_only`` is false)."""
    match: dict[str, Any] = {"loan_id": loan_id} if contract_no is None else {"loan__contract_no": contract_no}
    rows = list(
        Installment.objects.select_related("loan")
        .select_for_update(of=("loan",))
        .filter(version=F("loan__schedule_version"), **match)
        .order_by("period")
    )
    if not rows:
        raise LoanNotFound
    loan = rows[0].loan
    for row in rows:
        row.loan = loan
    if open_only and loan.status not in OPEN_STATUSES:
        raise LoanNotOpen(fields={"loan": [loan.get_status_display()]})
    return loan, rows


def current_rows(loan: Loan) -> list[Installment]:
    return list(Installment.objects.filter(loan_id=loan.pk, version=loan.schedule_version).order_by("period"))


def checked_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount on the fen (``InvalidAmount`` naming ``field`` otherwise)."""
    try:
        exact = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        amount = to_money(exact)
    except (TypeError, ValueError, ArithmeticError):
        raise InvalidAmount(fields={field: [InvalidAmount.default_message]}) from None
    if isinstance(value, bool | float) or amount <= 0 or amount != exact:
        raise InvalidAmount(fields={field: [InvalidAmount.default_message]})
    return amount


def checked_value_date(value_date: dt.date, business_date: dt.date | None = None) -> dt.date:
    business_date = business_date or current_business_date()
    if value_date > business_date:
        raise FutureValueDate(fields={"value_date": [FutureValueDate.default_message]})
    return value_date
