"""The penalty step on PostgreSQL: the same figures as ``penalty.accrue_penalty`` (the pure maths of
``servicing.overdue``), computed by the database over the partition's overdue work rows in exact ``numeric``.

Why a second implementation: on a large book the overdue instalments are hundreds of thousands of rows a day, and
reading them into Python, valuing them one by one and writing them back cost more than the rest of the batch
together. PostgreSQL's ``numeric`` is exact, so the formula is the pure module's, term by term:

    owed = round(Σ principal-days × rate / day count, 2) + round(Σ interest-days × compound rate / day count, 2)

where the principal-days are what is owed now × the days late plus each late payment × the days it counted (from
the due date to its value date, at most the days late) — zero while the instalment is within its grace days. The
division is carried to at least 16 significant digits before the rounding, and an exact quotient of these operands
is never nearer than 1 / (day count × 10¹⁰) to a half fen unless it is exactly on it, so the rounding is the
pure module's (half up). ``test_penalty_sql`` compares the two on generated instalments.

One statement values the rows and, through data-modifying CTEs, writes the instalments, the journal differences
and the settled work rows.

Invariants (as the Python step): the penalty never falls below what was paid of it; rates are fixed on the first
overdue run; an instalment left owing nothing is marked paid on its last late payment's value date.
"""

from __future__ import annotations

import datetime as dt

from loancrm.servicing.eod import sql
from loancrm.servicing.rules import DEFAULT_TERMS

_VALUE = """
WITH parts AS (
  SELECT w.id, p.component, p.amount, t.value_date,
         LEAST(t.value_date - w.due_date, %(as_of)s::date - w.due_date) AS counted
  FROM {rows} w
  JOIN loans_loantransaction t ON t.loan_id = w.loan_id AND t.value_date > w.due_date
  JOIN loans_transactionpart p ON p.transaction_id = t.id AND p.installment_id = w.id
  WHERE w.status <> 'paid' AND w.due_date < %(as_of)s::date AND t.status = 'posted' AND t.kind <> 'reversal'
    AND p.component IN ('principal', 'interest')
), late AS (
  SELECT id,
         SUM(CASE WHEN component = 'principal' THEN amount * counted ELSE 0 END) AS principal_days,
         SUM(CASE WHEN component = 'interest' THEN amount * counted ELSE 0 END) AS interest_days,
         MAX(CASE WHEN amount <> 0 THEN counted END) AS last_late, MAX(value_date) AS last_paid
  FROM parts GROUP BY id
), base AS (
  SELECT i.id, i.loan_id, i.penalty_due, i.penalty_paid, i.penalty_rate AS fixed_rate,
         i.principal_due - i.principal_paid AS principal, i.interest_due - i.interest_paid AS interest,
         i.fee_due - i.fee_paid AS fee, %(as_of)s::date - w.due_date AS days, late.principal_days, late.interest_days,
         late.last_late, late.last_paid,
         COALESCE(r.grace_days, g.grace_days, %(grace)s) AS grace,
         COALESCE(r.day_count, g.day_count, %(day_count)s) AS day_count,
         CASE WHEN i.penalty_rate IS NOT NULL THEN i.penalty_rate
              ELSE ROUND(l.annual_rate * COALESCE(r.penalty_multiplier, g.penalty_multiplier, %(multiplier)s), 8)
         END AS rate,
         CASE WHEN i.penalty_rate IS NOT NULL THEN COALESCE(i.compound_rate, 0)
              WHEN COALESCE(r.compound, g.compound, %(compound)s)
              THEN ROUND(l.annual_rate * COALESCE(r.penalty_multiplier, g.penalty_multiplier, %(multiplier)s), 8)
              ELSE 0 END AS compound_rate
  FROM {rows} w
  JOIN loans_installment i ON i.id = w.id
  JOIN loans_loan l ON l.id = w.loan_id
  LEFT JOIN late ON late.id = w.id
  LEFT JOIN servicing_overduerule r ON r.product_code = l.product_code
  LEFT JOIN servicing_overduerule g ON g.product_code = ''
  WHERE w.status <> 'paid' AND w.due_date < %(as_of)s::date AND i.status <> 'paid' AND l.id >= %(lo)s
    AND l.id < %(hi)s
), owed AS MATERIALIZED (
  SELECT base.*,
         CASE WHEN (CASE WHEN principal + interest > 0 THEN days ELSE COALESCE(last_late, 0) END) <= grace THEN 0
              ELSE ROUND((principal * days + COALESCE(principal_days, 0)) * rate / day_count, 2)
                   + ROUND((interest * days + COALESCE(interest_days, 0)) * compound_rate / day_count, 2)
         END AS owed
  FROM base
), valued AS (
  SELECT owed.*, GREATEST(owed, penalty_paid) AS target FROM owed
), v AS MATERIALIZED (
  SELECT id, loan_id, target, rate, compound_rate,
         principal = 0 AND interest = 0 AND fee = 0 AND target = penalty_paid AS settled,
         CAST(ROUND((target - penalty_due) * 100) AS BIGINT) AS change_fen, last_paid
  FROM valued
  WHERE target <> penalty_due OR fixed_rate IS NULL
     OR (principal = 0 AND interest = 0 AND fee = 0 AND target = penalty_paid)
), written AS (
  UPDATE loans_installment i SET penalty_due = v.target, penalty_rate = v.rate, compound_rate = v.compound_rate,
         status = CASE WHEN v.settled THEN 'paid' ELSE 'overdue' END,
         paid_on = CASE WHEN v.settled THEN COALESCE(v.last_paid, %(as_of)s::date) END
  FROM v WHERE i.id = v.id
), marked AS (
  UPDATE {rows} w SET status = 'paid' FROM v WHERE w.id = v.id AND v.settled
), charged AS (
  INSERT INTO {delta} (installment_id, loan_id, interest_fen, penalty_fen)
  SELECT id, loan_id, 0, change_fen FROM v WHERE change_fen <> 0
)
SELECT COUNT(*) FROM v
"""


def accrue_penalty(as_of: dt.date, lo: int, hi: int, rows_table: str, delta_table: str) -> int:
    """``penalty.accrue_penalty`` in one statement: value the overdue work rows, write the instalments, the journal
    differences and the settled rows' status. Returns the rows changed."""
    terms = DEFAULT_TERMS
    [(changed,)] = sql.rows(
        _VALUE.format(rows=rows_table, delta=delta_table),
        {"as_of": as_of, "lo": lo, "hi": hi, "grace": terms.grace_days, "day_count": terms.day_count,
         "multiplier": terms.penalty_multiplier, "compound": terms.compound},
    )  # fmt: skip
    return int(changed)
