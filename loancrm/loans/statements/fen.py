"""One repayment of a loan held in memory, in whole fen (pure: no Django) — the bank-file poster's hot loop.

It is, step for step, the single path on integers: ``allocation.allocate_payment`` (by instalment, the loan's
component order), ``settlement.Posting.pay`` (interest paid before its accrual is recognised: an ``accrued`` part
and ``interest_accrued`` raised to ``interest_paid``), ``rows.status_after_change`` and ``settlement.loan_after``.

Why it is identical: every amount is on the fen (two-place DecimalFields, statement amounts checked on the fen), and
the Decimal path only adds, subtracts, compares and takes minima of such amounts, which is exact in both forms; so
each integer here is the Decimal amount × 100 (``core.money.fen``). ``test_statement_fen`` compares the two on
random schedules and payments, and the statement tests compare whole files with ``payment_post``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

# Component indexes into ``Row.due`` / ``Row.paid``; names as ``allocation.Component`` values.
FEE, PENALTY, INTEREST, PRINCIPAL = range(4)
NAMES = ("fee", "penalty", "interest", "principal")
ACCRUED = "accrued"
# Status values as ``loans.choices`` (checked by the tests).
PAID, OVERDUE, DUE, PENDING = "paid", "overdue", "due", "pending"
ACTIVE, PAID_OFF = "active", "paid_off"


class Row:
    """A current-schedule instalment: what it owes and has been paid per component, in fen."""

    __slots__ = ("accrued", "due", "due_date", "paid", "paid_on", "pk", "status")

    def __init__(self, pk: int, due_date: dt.date, due: list[int], paid: list[int], accrued: int, status: str,
                 paid_on: dt.date | None) -> None:  # fmt: skip
        self.pk, self.due_date, self.due, self.paid = pk, due_date, due, paid
        self.accrued, self.status, self.paid_on = accrued, status, paid_on

    def settled(self) -> bool:
        due, paid = self.due, self.paid
        return due[0] == paid[0] and due[1] == paid[1] and due[2] == paid[2] and due[3] == paid[3]


class Loan:
    """A locked loan: balances in fen, status, and its current schedule in period order — every row, or the rows
    payments can reach and ``tail``: (principal outstanding, rows not settled, of those due before the business
    date, latest due date) of the rows after them, which payments never reach (see ``statements.loading``)."""

    __slots__ = ("advance", "in_order", "maturity_date", "order", "outstanding", "paid_off_on", "pk", "rows",
                 "status", "tail")  # fmt: skip

    def __init__(self, pk: int, status: str, order: Sequence[int], outstanding: int, advance: int,
                 paid_off_on: dt.date | None, maturity_date: dt.date | None) -> None:  # fmt: skip
        self.pk, self.status, self.order = pk, status, tuple(order)
        self.outstanding, self.advance = outstanding, advance
        self.paid_off_on, self.maturity_date = paid_off_on, maturity_date
        self.rows: list[Row] = []
        self.tail: tuple[int, int, int, dt.date | None] = (0, 0, 0, None)
        self.in_order = True  # due dates never decrease with the period

    def add(self, row: Row) -> None:
        if self.rows and row.due_date < self.rows[-1].due_date:
            self.in_order = False
        self.rows.append(row)


class Payment:
    """What one repayment did: parts (row, component name, fen) in the single path's order, totals per component
    name and ``accrued``, the advance kept and the rows it changed."""

    __slots__ = ("advance", "changed", "parts", "totals")

    def __init__(self) -> None:
        self.parts: list[tuple[Row, str, int]] = []
        self.totals = dict.fromkeys((*NAMES, ACCRUED), 0)
        self.changed: dict[int, Row] = {}
        self.advance = 0


def reachable(loan: Loan, value_date: dt.date) -> list[Row]:
    """The rows the waterfall can pay on ``value_date``: unpaid ones up to the first due on or after it that still
    owes something (later ones are never reached); every row when due dates are out of period order."""
    if not loan.in_order:
        return loan.rows
    found = []
    for row in loan.rows:
        if row.status == PAID:
            continue
        found.append(row)
        if row.due_date >= value_date and not row.settled():
            break
    return found


def _steps(loan: Loan, value_date: dt.date) -> list[Row]:
    """Rows in waterfall order: the overdue ones (due before ``value_date``) oldest first, then the current one."""
    owing = [row for row in reachable(loan, value_date) if row.status != PAID and _owed(row) > 0]
    owing.sort(key=lambda row: (row.due_date, row.pk))
    overdue = [row for row in owing if row.due_date < value_date]
    current = [row for row in owing if row.due_date >= value_date][:1]
    return overdue + current


def _owed(row: Row) -> int:
    due, paid = row.due, row.paid
    return due[0] - paid[0] + due[1] - paid[1] + due[2] - paid[2] + due[3] - paid[3]


def repay(
    loan: Loan, amount: int, value_date: dt.date, business_date: dt.date, penalty_cap: dict[int, int] | None = None
) -> Payment:
    """Apply a repayment of ``amount`` fen (> 0) to ``loan`` in place; the loan's new status is ``loan.status``
    (the caller checks the move with ``ensure_transition``). ``penalty_cap``: {row id: the most penalty the row
    counts as charged for this payment} (a back-dated payment, ``penalty_cap.PenaltyCaps``)."""
    payment = Payment()
    parts, totals, changed = payment.parts, payment.totals, payment.changed
    left = amount
    for row in _steps(loan, value_date):
        for component in loan.order:
            if left == 0:
                break
            due = row.due[component]
            if component == PENALTY and penalty_cap and row.pk in penalty_cap:
                due = min(due, penalty_cap[row.pk])
            share = min(left, due - row.paid[component])
            if share <= 0:
                continue
            left -= share
            row.paid[component] += share
            name = NAMES[component]
            parts.append((row, name, share))
            totals[name] += share
            if component == INTEREST and row.paid[INTEREST] > row.accrued:
                recognised = row.paid[INTEREST] - row.accrued
                parts.append((row, ACCRUED, recognised))
                totals[ACCRUED] += recognised
                row.accrued = row.paid[INTEREST]
            changed[row.pk] = row
        if left == 0:
            break
    payment.advance = left
    for row in changed.values():
        _row_status(row, value_date, business_date)
    _loan_after(loan, left, value_date, business_date)
    return payment


def _row_status(row: Row, paid_on: dt.date, business_date: dt.date) -> None:
    if row.settled():
        row.status, row.paid_on = PAID, row.paid_on or paid_on
        return
    row.paid_on = None
    if row.due_date < business_date:
        row.status = OVERDUE
    elif row.due_date == business_date:
        row.status = DUE
    else:
        row.status = PENDING


def _loan_after(loan: Loan, advance_change: int, on: dt.date, business_date: dt.date) -> None:
    rows = loan.rows
    tail_outstanding, tail_unsettled, tail_overdue, tail_latest = loan.tail
    loan.outstanding = tail_outstanding + sum(row.due[PRINCIPAL] - row.paid[PRINCIPAL] for row in rows)
    loan.advance += advance_change
    overdue = tail_overdue > 0 or _has_overdue(rows, business_date)
    target = loan.status
    if loan.outstanding == 0 and tail_unsettled == 0 and all(row.settled() for row in rows):
        target = PAID_OFF
    elif loan.status == PAID_OFF:
        target = OVERDUE if overdue else ACTIVE
    elif loan.status == OVERDUE and not overdue:
        target = ACTIVE
    if target != loan.status:
        loan.status = target
        loan.paid_off_on = on if target == PAID_OFF else None
    latest = [row.due_date for row in rows] + ([tail_latest] if tail_latest else [])
    if latest:
        loan.maturity_date = max(latest)


def _has_overdue(rows: Sequence[Row], business_date: dt.date) -> bool:
    return any(row.due_date < business_date and not row.settled() for row in rows)
