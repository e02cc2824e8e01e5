"""PostgreSQL: a money event's whole write in one statement (data-modifying CTEs).

Writes exactly what the ORM path of ``settlement.write`` writes — the journal entry (dated on the business date
when the value date's period is closed) and its lines, the transaction and its parts, the changed instalment rows
and the loan's balances — in one round trip instead of seven. The caller has validated the lines (balanced) and
computed every value; this module only persists them. Sets ``txn.pk`` and ``txn.journal_entry_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from loancrm.ledger.choices import PeriodStatus
from loancrm.ledger.posting import Leg, account_id, period_start
from loancrm.loans.models import Installment, LoanTransaction
from loancrm.loans.rows import MONEY_FIELDS

_ENTRY = """
e AS (
  INSERT INTO ledger_journalentry (entry_date, kind, memo, loan_id, posted_at, posted_by_id)
  SELECT CASE WHEN EXISTS (SELECT 1 FROM ledger_accountingperiod WHERE start >= %s AND status = %s)
              THEN %s::date ELSE %s::date END, %s, %s, %s, %s, %s
  RETURNING id
)"""
_LINES = """
jl AS (
  INSERT INTO ledger_journalline (entry_id, account_id, loan_id, debit, credit)
  SELECT e.id, v.a, v.l, v.d, v.c FROM e, unnest(%s::int[], %s::bigint[], %s::numeric[], %s::numeric[]) AS v(a, l, d, c)
)"""
_TXN = """
t AS (
  INSERT INTO loans_loantransaction (loan_id, kind, status, source, amount, principal, interest, penalty, fee,
      advance, value_date, channel_id, reference, reason, from_version, to_version, journal_entry_id, posted_at,
      posted_by_id)
  SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, e.id, %s, %s FROM e
  RETURNING id
)"""
_PARTS = """
tp AS (
  INSERT INTO loans_transactionpart (transaction_id, installment_id, component, amount)
  SELECT t.id, v.i, v.c, v.a FROM t, unnest(%s::bigint[], %s::varchar[], %s::numeric[]) AS v(i, c, a)
)"""
_ROWS = """
ir AS (
  UPDATE loans_installment r SET status = v.s, paid_on = v.po, principal_paid = v.pp, interest_paid = v.ip,
      fee_paid = v.fp, penalty_paid = v.np, interest_accrued = v.ia
  FROM unnest(%s::bigint[], %s::varchar[], %s::date[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[],
      %s::numeric[]) AS v(id, s, po, pp, ip, fp, np, ia)
  WHERE r.id = v.id
)"""
_LOAN = """
lu AS (
  UPDATE loans_loan SET principal_outstanding = %s, advance_balance = %s, status = %s, paid_off_on = %s,
      maturity_date = %s, schedule_version = %s
  WHERE id = %s
)"""
_NOTIFICATION = """
nl AS (
  UPDATE loans_paymentnotification SET transaction_id = t.id FROM t WHERE loans_paymentnotification.id = %s
)"""
# One text for every posting (the rows travel as arrays), so the server prepares and plans it once per connection.
_SQL = "WITH " + ",".join([_ENTRY, _LINES, _TXN, _PARTS, _ROWS, _LOAN, _NOTIFICATION]) + "\nSELECT t.id, e.id FROM t, e"
assert tuple(MONEY_FIELDS) == ("principal_paid", "interest_paid", "fee_paid", "penalty_paid", "interest_accrued")


def persist_in_one_statement(
    txn: LoanTransaction,
    lines: Sequence[Leg],
    parts: Sequence[tuple[Installment, str, Decimal]],
    rows: Sequence[Installment],
    *,
    entry_kind: str,
    memo: str,
    business_date: dt.date,
    notification_id: int | None = None,
) -> None:
    """``notification_id``: the channel notification this posting answers, linked to the transaction."""
    loan = txn.loan
    value_date: dt.date = txn.value_date
    params: list[Any] = [period_start(value_date), PeriodStatus.CLOSED, business_date, value_date, entry_kind,
                         memo[:200], loan.pk, txn.posted_at, txn.posted_by_id]  # fmt: skip
    params += [[account_id(leg.account) for leg in lines], [leg.loan_id for leg in lines],
               [leg.debit for leg in lines], [leg.credit for leg in lines]]  # fmt: skip
    params += [loan.pk, txn.kind, txn.status, txn.source, txn.amount, txn.principal, txn.interest, txn.penalty,
               txn.fee, txn.advance, value_date, txn.channel_id, txn.reference, txn.reason, txn.from_version,
               txn.to_version, txn.posted_at, txn.posted_by_id]  # fmt: skip
    params += [[row.pk for row, _c, _a in parts], [c for _r, c, _a in parts], [a for _r, _c, a in parts]]
    params += [[row.pk for row in rows], [row.status for row in rows], [row.paid_on for row in rows]]
    params += [[getattr(row, name) for row in rows] for name in MONEY_FIELDS]
    params += [loan.principal_outstanding, loan.advance_balance, loan.status, loan.paid_off_on, loan.maturity_date,
               loan.schedule_version, loan.pk]  # fmt: skip
    params.append(notification_id)
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        txn.pk, txn.journal_entry_id = cursor.fetchone()
    txn._state.adding = False
