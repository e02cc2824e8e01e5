"""What every money service needs first: the locked loan, its current schedule, checked inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection

from loancrm.core.business_date import current_business_date
from loancrm.core.money import to_money
from loancrm.core.raw_rows import column_count, from_row, select_list
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
    """The row-locked loan (by id or contract number) and its current schedule in one statement (only the loan row
    is locked); ``LoanNotFound`` / ``LoanNotOpen`` (unless ``open_only`` is false). Plain SQL: on the posting hot
    path building the ORM query cost more than running it."""
    sql = _locked_rows_sql("id" if contract_no is None else "contract_no")
    with connection.cursor() as cursor:
        cursor.execute(sql, [loan_id if contract_no is None else contract_no])
        found = cursor.fetchall()
    if not found:
        raise LoanNotFound
    width = column_count(Loan)
    loan = from_row(Loan, found[0][:width])
    rows = [from_row(Installment, values[width:]) for values in found]
    for row in rows:
        row.loan = loan
    if open_only and loan.status not in OPEN_STATUSES:
        raise LoanNotOpen(fields={"loan": [loan.get_status_display()]})
    return loan, rows


@cache
def _locked_rows_sql(key: str) -> str:
    lock = " FOR UPDATE OF l" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {select_list(Loan, 'l')}, {select_list(Installment, 'i')} FROM loans_loan l "  # noqa: S608
        f"JOIN loans_installment i ON i.loan_id = l.id AND i.version = l.schedule_version "
        f"WHERE l.{key} = %s ORDER BY i.period{lock}"
    )


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
