"""The penalty step of a partition: overdue instalments read in one statement, their penalty to date computed with
the pure maths (``servicing.overdue``, exact Decimal) and the changed rows written back in one statement.

This is the SQLite path (SQLite has no exact decimal arithmetic, and embedded books are small); PostgreSQL computes
the same figures in the database (``penalty_sql``), compared with this one by ``test_penalty_sql``. The read and
the write are each one statement per partition, never a per-loan ``save()``.

Invariants: the penalty of an instalment is recomputed from its history every run (what it owes now, and every
payment valued after its due date), so a back-dated payment or a reversal is reflected by the next run; it never
falls below what was paid of it; its rates are fixed on its first overdue run; an instalment left owing nothing
after the recomputation is marked paid on its last payment's value date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from loancrm.core.money import ZERO
from loancrm.loans.choices import InstallmentStatus
from loancrm.servicing.eod import penalty_sql, sql
from loancrm.servicing.overdue import LatePayment, penalty_rate, penalty_to_date
from loancrm.servicing.rules import Rules, Terms

_ROWS = """
SELECT i.id, i.loan_id, i.due_date, {pd} - {pp}, {idue} - {ip}, {fd} - {fp}, {npd}, {npp},
       {prate}, {crate}, {annual}, l.product_code
FROM {rows} w JOIN loans_installment i ON i.id = w.id JOIN loans_loan l ON l.id = w.loan_id
WHERE w.status <> 'paid' AND w.due_date < {as_of} AND i.status <> 'paid'
"""
_PARTS = """
SELECT w.id, p.component, {amount}, t.value_date
FROM {rows} w
JOIN loans_loantransaction t ON t.loan_id = w.loan_id AND t.value_date > w.due_date
JOIN loans_transactionpart p ON p.transaction_id = t.id AND p.installment_id = w.id
WHERE w.status <> 'paid' AND w.due_date < {as_of} AND t.status = 'posted' AND t.kind <> 'reversal'
  AND p.component IN ('principal', 'interest')
"""


def late_payments(rows_table: str, as_of: dt.date) -> dict[int, list[LatePayment]]:
    """Payments valued after the due date of each overdue instalment in ``rows_table`` (reversed ones left out)."""
    query = _PARTS.format(rows=rows_table, amount=sql.fen("p.amount"), as_of=sql.date_param())
    found: dict[int, list[LatePayment]] = defaultdict(list)
    for installment_id, component, amount, value_date in sql.rows(query, [sql.day(as_of)]):
        money = Decimal(int(amount)).scaleb(-2)
        day = sql.read_date(value_date)
        if component == "principal":
            found[installment_id].append(LatePayment(day, principal=money))
        else:
            found[installment_id].append(LatePayment(day, interest=money))
    return found


def _overdue_rows(rows_table: str, as_of: dt.date) -> list[tuple[Any, ...]]:
    query = _ROWS.format(rows=rows_table,
        pd=sql.fen("i.principal_due"), pp=sql.fen("i.principal_paid"), idue=sql.fen("i.interest_due"),
        ip=sql.fen("i.interest_paid"), fd=sql.fen("i.fee_due"), fp=sql.fen("i.fee_paid"),
        npd=sql.fen("i.penalty_due"), npp=sql.fen("i.penalty_paid"), prate=sql.scaled("i.penalty_rate", 8),
        crate=sql.scaled("i.compound_rate", 8), annual=sql.scaled("l.annual_rate", 6), as_of=sql.date_param(),
    )  # fmt: skip
    return sql.rows(query, [sql.day(as_of)])


def _rates(prate: Any, crate: Any, annual: Any, terms: Terms) -> tuple[Decimal, Decimal]:
    """The instalment's fixed (penalty, compound) rates, or the rule's for a first overdue run."""
    if prate is not None:
        return Decimal(int(prate)).scaleb(-8), Decimal(int(crate or 0)).scaleb(-8)
    rate = penalty_rate(Decimal(int(annual)).scaleb(-6), terms.penalty_multiplier)
    return rate, rate if terms.compound else ZERO


def accrue_penalty(as_of: dt.date, lo: int, hi: int, rules: Rules, rows_table: str, delta_table: str) -> int:
    """Bring the penalty of every overdue instalment in ``rows_table`` (the work rows of loans ``lo <= id < hi``:
    id, loan_id, due_date, status, …) to ``as_of``; the changes go to ``delta_table`` (installment_id, loan_id,
    interest_fen, penalty_fen) for the journal, and instalments this settles are marked paid in both. Returns the
    rows changed."""
    if sql.is_postgres():
        return penalty_sql.accrue_penalty(as_of, lo, hi, rows_table, delta_table)
    return accrue_penalty_in_python(as_of, rules, rows_table, delta_table)


def accrue_penalty_in_python(as_of: dt.date, rules: Rules, rows_table: str, delta_table: str) -> int:
    """``accrue_penalty`` valued row by row with the pure maths (runs on either database)."""
    found = _overdue_rows(rows_table, as_of)
    if not found:
        return 0
    payments = late_payments(rows_table, as_of)
    updates: list[tuple[Any, ...]] = []
    deltas: list[tuple[int, int, int, int]] = []
    for row in found:
        (pk, loan_id, due_date, principal, interest, fee, due_fen, paid_fen, prate, crate, annual, product) = row
        due_date = sql.read_date(due_date)
        terms = rules.terms(product)
        frozen = prate is not None
        rate, compound = _rates(prate, crate, annual, terms)
        mine = payments.get(pk, [])
        owed = penalty_to_date(
            due_date=due_date, as_of=as_of, principal_outstanding=Decimal(principal).scaleb(-2),
            interest_outstanding=Decimal(interest).scaleb(-2), rate=rate, compound_rate=compound, payments=mine,
            day_count=terms.day_count, grace_days=terms.grace_days,
        )  # fmt: skip
        penalty_paid = Decimal(paid_fen).scaleb(-2)
        target = max(owed.total, penalty_paid)
        change = int(target.scaleb(2)) - int(due_fen)
        settled = principal == 0 and interest == 0 and fee == 0 and target == penalty_paid
        if not (change or settled or not frozen):
            continue
        status, paid_on = (InstallmentStatus.PAID, max((p.value_date for p in mine), default=as_of)) if settled else (
            InstallmentStatus.OVERDUE, None)  # fmt: skip
        updates.append((pk, target, rate, compound, status, paid_on))
        if change:
            deltas.append((pk, loan_id, 0, change))
    sql.update_by_id(
        "loans_installment",
        [("penalty_due", "numeric"), ("penalty_rate", "numeric"), ("compound_rate", "numeric"), ("status", "text"),
         ("paid_on", "date")],
        updates,
    )  # fmt: skip
    settled_ids = [row[0] for row in updates if row[4] == InstallmentStatus.PAID]
    if settled_ids:
        sql.execute(
            f"UPDATE {rows_table} SET status = 'paid' WHERE id IN ({', '.join(['%s'] * len(settled_ids))})",  # noqa: S608
            settled_ids,
        )
    if deltas:
        with sql.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {delta_table} (installment_id, loan_id, interest_fen, penalty_fen) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                deltas,
            )
    return len(updates)
