"""The bank-file poster's reads of the loans it posts to: locked, with the part of each current schedule that the
chunk's payments can reach, amounts in whole fen.

Which rows: a loan receiving ``k`` payments of the chunk, the latest on value date ``V``, gets its current schedule
in period order up to and including the ``k``-th row that is unpaid, still owes something and is due on or after
``V``; the rows after it (the tail) come as four figures only: their principal outstanding, how many are not
settled, how many of those are due before the business date, and their latest due date (what ``settlement.
loan_after`` needs of them). A loan whose due dates are not in period order gets every row (a second query).

Why that suffices: a payment with value date ``v ≤ V`` pays rows due before ``v`` (all before the tail, due dates
being in period order) and at most one row due on or after ``v`` — the first that still owes something (``fen.
reachable``); so each payment settles at most one of the counted rows, and the ``j``-th payment reaches no further
than the ``j``-th of them. Tail rows are never changed by the chunk, so their figures hold throughout.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection

from loancrm.loans.allocation import parse_order
from loancrm.loans.choices import OPEN_STATUSES
from loancrm.loans.models import Installment, Loan
from loancrm.loans.statements import bulk_sql as sql
from loancrm.loans.statements import fen

MONEY = ("principal_due", "interest_due", "fee_due", "penalty_due", "interest_accrued", "principal_paid",
         "interest_paid", "fee_paid", "penalty_paid")  # fmt: skip
_ORDERS: dict[str, tuple[int, ...]] = {}


def _order(text: str) -> tuple[int, ...]:
    """The loan's allocation order as ``fen`` component indexes."""
    found = _ORDERS.get(text)
    if found is None:
        found = _ORDERS[text] = tuple(fen.NAMES.index(component.value) for component in parse_order(text))
    return found


class LoanState(fen.Loan):
    """A locked loan as the poster changes it: ``fen.Loan`` and its contract number."""

    __slots__ = ("contract_no",)

    def __init__(self, values: Sequence[Any]) -> None:
        pk, contract_no, status, _version, order, outstanding, advance, paid_off_on, maturity_date = values
        super().__init__(pk, status, _order(order), outstanding, advance, sql.day(paid_off_on),
                         sql.day(maturity_date))  # fmt: skip
        self.contract_no = contract_no


def _row(values: Sequence[Any]) -> fen.Row:
    pk, due_date, *money, status, paid_on = values
    p_due, i_due, f_due, n_due, accrued, p_paid, i_paid, f_paid, n_paid = money
    return fen.Row(pk, cast(dt.date, sql.day(due_date)), [f_due, n_due, i_due, p_due], [f_paid, n_paid, i_paid, p_paid],
                   accrued, status, sql.day(paid_on))  # fmt: skip


def _loan_columns() -> str:
    money = sql.fen_column
    return (f"id, contract_no, status, schedule_version, allocation_order, {money('principal_outstanding')}, "
            f"{money('advance_balance')}, paid_off_on, maturity_date")  # fmt: skip


def _exact(column: str) -> str:
    """A money column for an equality test: as stored on PostgreSQL (exact numeric), in fen on SQLite (floats)."""
    return column if sql.is_postgres() else sql.fen_column(column)


def _schedule_sql() -> str:
    """Rows (kind 0) and tail figures (kind 1) per loan, each with ``back`` (a due date earlier than the previous
    row's); parameters: the (loan id, schedule version, ``V``, ``k``) list and the business date."""
    settled = " AND ".join(f"{_exact(f'i.{c}_due')} = {_exact(f'i.{c}_paid')}"
                           for c in ("principal", "interest", "fee", "penalty"))  # fmt: skip
    columns = ", ".join(f"i.{name}" for name in MONEY)
    each = (f"SELECT i.id, i.loan_id, i.period, i.due_date, i.status, i.paid_on, w.k, {columns}, "
            f"CASE WHEN {settled} THEN 1 ELSE 0 END AS settled, "
            "CASE WHEN i.due_date < LAG(i.due_date) OVER win THEN 1 ELSE 0 END AS back, "
            f"COALESCE(SUM(CASE WHEN i.status <> '{fen.PAID}' AND i.due_date >= w.upto AND NOT ({settled}) "
            "THEN 1 ELSE 0 END) OVER (win ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead ")  # fmt: skip
    rows = sql.table(Installment)
    if sql.is_postgres():  # one small index scan in period order per loan: no sort of the whole chunk
        wanted = "SELECT * FROM unnest(%s::bigint[], %s::int[], %s::date[], %s::int[]) AS w(loan_id, version, upto, k)"
        each = (f"SELECT r.* FROM w CROSS JOIN LATERAL ({each} FROM {rows} i WHERE i.loan_id = w.loan_id "  # noqa: S608
                "AND i.version = w.version WINDOW win AS (ORDER BY i.period)) r")  # fmt: skip
    else:
        wanted = ("SELECT json_extract(value, '$[0]') AS loan_id, json_extract(value, '$[1]') AS version, "
                  "json_extract(value, '$[2]') AS upto, json_extract(value, '$[3]') AS k "
                  "FROM json_each(%s)")  # fmt: skip
        each += (f"FROM w JOIN {rows} i ON i.loan_id = w.loan_id AND i.version = w.version "
                 "WINDOW win AS (PARTITION BY i.loan_id ORDER BY i.period)")  # fmt: skip
    fen_of = sql.fen_column
    return f"""
WITH w AS ({wanted}), s AS ({each})
SELECT 0 AS kind, loan_id, period, back, id, due_date, {", ".join(fen_of(name) for name in MONEY)}, status, paid_on
FROM s WHERE ahead < k
UNION ALL
SELECT 1, loan_id, NULL, MAX(back), NULL, MAX(due_date),
    CAST(SUM({fen_of("principal_due")} - {fen_of("principal_paid")}) AS bigint), CAST(SUM(1 - settled) AS bigint),
    CAST(SUM(CASE WHEN settled = 0 AND due_date < %s THEN 1 ELSE 0 END) AS bigint), 0, 0, 0, 0, 0, 0, NULL, NULL
FROM s WHERE ahead >= k GROUP BY loan_id
ORDER BY 2, 1, 3
"""  # noqa: S608 (table and column names from the models)


def _whole_schedules(loans: dict[int, LoanState], versions: dict[int, int]) -> None:
    """Every current row of ``loans`` (those whose due dates are out of period order), in period order."""
    money = ", ".join(sql.fen_column(name) for name in MONEY)
    rows = sql.select(
        f"SELECT loan_id, version, id, due_date, {money}, status, paid_on FROM {sql.table(Installment)} "  # noqa: S608
        "WHERE loan_id = ANY(%s) ORDER BY loan_id, period",
        f"SELECT loan_id, version, id, due_date, {money}, status, paid_on FROM {sql.table(Installment)} "  # noqa: S608
        "WHERE loan_id IN (SELECT value FROM json_each(%s)) ORDER BY loan_id, period",
        [sorted(loans)],
    )
    for loan in loans.values():
        loan.rows, loan.in_order, loan.tail = [], True, (0, 0, 0, None)
    for loan_id, version, *values in rows:
        if version == versions[loan_id]:
            loans[loan_id].add(_row(values))


def lock_loans(reach: dict[int, tuple[dt.date, int]], business_date: dt.date) -> dict[int, LoanState]:
    """The loans of ``reach`` ({loan id: (latest value date, number of payments)}), row-locked in id order
    (PostgreSQL; SQLite's transaction already holds the write lock), the open ones with the schedule rows their
    payments can reach and the tail figures (module docstring)."""
    if not reach:
        return {}
    ids = sorted(reach)
    loans_t, columns = sql.table(Loan), _loan_columns()
    found = sql.select(
        f"SELECT {columns} FROM {loans_t} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",  # noqa: S608
        f"SELECT {columns} FROM {loans_t} WHERE id IN (SELECT value FROM json_each(%s)) ORDER BY id",  # noqa: S608
        [ids],
    )
    loans = {row[0]: LoanState(row) for row in found}
    versions = {row[0]: row[3] for row in found}
    wanted = [(pk, versions[pk], *reach[pk]) for pk, loan in loans.items() if loan.status in OPEN_STATUSES]
    if not wanted:
        return loans
    if sql.is_postgres():
        params: list[Any] = [sql.array_literal(w[n] for w in wanted) for n in range(4)] + [business_date]
    else:
        params = [json.dumps([[pk, v, day.isoformat(), k] for pk, v, day, k in wanted]), business_date.isoformat()]
    disordered: dict[int, LoanState] = {}
    with connection.cursor() as cursor:
        if sql.is_postgres():  # compiling this query costs more than the few rows per loan it runs on
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_schedule_sql(), params)
        for kind, loan_id, _period, back, *values in cursor.fetchall():
            loan = loans[loan_id]
            if back:
                disordered[loan_id] = loan
            if kind == 0:
                loan.add(_row(values))
            else:
                _pk, latest, outstanding, unsettled, overdue = values[:5]
                loan.tail = (outstanding, unsettled, overdue, sql.day(latest))
    if disordered:
        _whole_schedules(disordered, versions)
    return loans
