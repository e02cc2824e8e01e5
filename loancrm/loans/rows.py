"""Schedule rows ↔ the pure maths: instalment rows from a ``Schedule``, open amounts as allocation ``Due``s, and the
status a row takes from what it has been paid.

Invariants: ``paid ≤ due`` per component; a row is ``paid`` exactly when every component is fully paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from loancrm.core.money import ZERO
from loancrm.loans.allocation import Component, Due
from loancrm.loans.choices import InstallmentStatus
from loancrm.loans.models import Installment
from loancrm.loans.schedule import Schedule

PAID_FIELD = {c: f"{c.value}_paid" for c in Component}
DUE_FIELD = {
    Component.FEE: "fee_due",
    Component.PENALTY: "penalty_due",
    Component.INTEREST: "interest_due",
    Component.PRINCIPAL: "principal_due",
}
MONEY_FIELDS = ("principal_paid", "interest_paid", "fee_paid", "penalty_paid", "interest_accrued")


def rows_from_schedule(loan_id: int, version: int, schedule: Schedule, start: dt.date) -> list[Installment]:
    """The rows of a schedule starting on ``start`` (each period starts on the previous one's due date)."""
    starts = [start, *(line.due_date for line in schedule.lines[:-1])]
    return [
        Installment(
            loan_id=loan_id,
            version=version,
            period=line.period,
            due_date=line.due_date,
            period_start=period_start,
            principal_due=line.principal,
            interest_due=line.interest,
        )
        for line, period_start in zip(schedule.lines, starts, strict=True)
    ]


def outstanding(row: Installment, component: Component) -> Decimal:
    return getattr(row, DUE_FIELD[component]) - getattr(row, PAID_FIELD[component])


def open_dues(rows: Iterable[Installment], *, until: dt.date | None = None) -> list[Due]:
    """What each unpaid row still owes (rows due after ``until`` left out when it is given)."""
    return [
        Due(
            key=row.pk,
            due_date=row.due_date,
            fee=outstanding(row, Component.FEE),
            penalty=outstanding(row, Component.PENALTY),
            interest=outstanding(row, Component.INTEREST),
            principal=outstanding(row, Component.PRINCIPAL),
        )
        for row in rows
        if row.status != InstallmentStatus.PAID and (until is None or row.due_date <= until)
    ]


def is_settled(row: Installment) -> bool:
    return all(outstanding(row, c) == 0 for c in Component)


def status_after_change(row: Installment, *, paid_on: dt.date, business_date: dt.date) -> None:
    """Set ``status``/``paid_on`` from the paid amounts (a reopened row goes back to due or overdue)."""
    if is_settled(row):
        row.status, row.paid_on = InstallmentStatus.PAID, row.paid_on or paid_on
    else:
        row.paid_on = None
        if row.due_date < business_date:
            row.status = InstallmentStatus.OVERDUE
        elif row.due_date == business_date:
            row.status = InstallmentStatus.DUE
        else:
            row.status = InstallmentStatus.PENDING


def principal_outstanding(rows: Sequence[Installment]) -> Decimal:
    return sum((row.principal_due - row.principal_paid for row in rows), ZERO)


def has_overdue(rows: Sequence[Installment], business_date: dt.date) -> bool:
    return any(row.due_date < business_date and not is_settled(row) for row in rows)
