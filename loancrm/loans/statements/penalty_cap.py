"""Back-dated bank-file payments pay the penalty owed on their value date — as ``payment_post`` does through
``servicing.backdating.penalty_on_value_date`` — not the days the end-of-day run charged after it.

Per chunk, for the loans receiving a payment valued before the business date: their charged overdue rows (penalty
rate fixed, penalty due above paid, due before the payment's value date) with their rates, the loan's overdue rule
and the late principal and interest payments already posted to them are read in two statements; the chunk's own
payments are added as they are applied. Each back-dated payment then gets, per such row, the penalty owed on its
value date in fen (the pure maths of ``servicing.overdue`` on the row's amounts as they stand), and ``fen.repay``
lets the payment pay no more penalty than that.

Invariant: for every line the cap equals what ``penalty_on_value_date`` computes for the same payment through
``payment_post`` (``test_statement_poster`` compares whole files).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from loancrm.loans.statements import bulk_sql as sql
from loancrm.loans.statements import fen
from loancrm.loans.statements.loading import LoanState
from loancrm.servicing.overdue import LatePayment, penalty_to_date
from loancrm.servicing.rules import Rules, Terms

# Rates read as integers × 10⁸ (SQLite hands decimals back as binary floats).
_RATES = (
    "SELECT i.id, CAST(ROUND(i.penalty_rate * 100000000) AS BIGINT), "
    "CAST(ROUND(COALESCE(i.compound_rate, 0) * 100000000) AS BIGINT), l.product_code FROM loans_installment i "
    "JOIN loans_loan l ON l.id = i.loan_id WHERE i.id {rows} AND i.penalty_rate IS NOT NULL"
)
_ANY, _JSON = "= ANY(%s)", "IN (SELECT value FROM json_each(%s))"
_LATE = (
    "SELECT p.installment_id, p.component, {amount}, t.value_date FROM loans_transactionpart p "
    "JOIN loans_loantransaction t ON t.id = p.transaction_id WHERE p.installment_id {rows} "
    "AND p.component IN ('principal', 'interest') AND t.status = 'posted' AND t.kind <> 'reversal'"
)


def _fen(value: Decimal) -> int:
    return int(value.scaleb(2))


class PenaltyCaps:
    """The penalty caps of one chunk's back-dated payments (see the module docstring)."""

    def __init__(self, loans: dict[int, LoanState], value_dates: dict[int, dt.date], business_date: dt.date):
        """``value_dates``: per loan, the latest value date of its payments in the chunk."""
        self.business_date = business_date
        self.rows: dict[int, fen.Row] = {}
        for loan_id, latest in value_dates.items():
            loan = loans.get(loan_id)
            if loan is None or latest >= business_date:
                continue
            for row in loan.rows:
                if row.due[fen.PENALTY] > row.paid[fen.PENALTY] and row.due_date < latest:
                    self.rows[row.pk] = row
        self.terms: dict[int, tuple[Decimal, Decimal, Terms]] = {}
        self.late: dict[int, list[LatePayment]] = defaultdict(list)
        if self.rows:
            self._load()

    def _load(self) -> None:
        ids = sorted(self.rows)
        rules = Rules()
        for pk, rate, compound, product in sql.select(_RATES.format(rows=_ANY), _RATES.format(rows=_JSON), [ids]):
            self.terms[pk] = (Decimal(int(rate)).scaleb(-8), Decimal(int(compound)).scaleb(-8), rules.terms(product))
        if not self.terms:
            return
        charged = sorted(self.terms)
        query_pg = _LATE.format(amount=sql.fen_column("p.amount"), rows=_ANY)
        query_sqlite = _LATE.format(amount=sql.fen_column("p.amount"), rows=_JSON)
        for pk, component, amount, value_date in sql.select(query_pg, query_sqlite, [charged]):
            self._add(pk, component, int(amount), sql.day(value_date))

    def _add(self, pk: int, component: str, amount: int, value_date: Any) -> None:
        row = self.rows[pk]
        if value_date > row.due_date:
            money = Decimal(amount).scaleb(-2)
            payment = LatePayment(value_date, principal=money) if component == "principal" else LatePayment(
                value_date, interest=money)  # fmt: skip
            self.late[pk].append(payment)

    def for_payment(self, loan: LoanState, value_date: dt.date) -> dict[int, int] | None:
        """{row id: the most penalty (fen) the row may have been charged as of ``value_date``} for a payment to
        ``loan``; None when nothing is capped (not back-dated, or no charged row)."""
        if value_date >= self.business_date or not self.terms:
            return None
        caps = {}
        for row in loan.rows:
            found = self.terms.get(row.pk)
            if found is None or row.due_date >= value_date:
                continue
            rate, compound, terms = found
            owed = penalty_to_date(
                due_date=row.due_date, as_of=value_date,
                principal_outstanding=Decimal(row.due[fen.PRINCIPAL] - row.paid[fen.PRINCIPAL]).scaleb(-2),
                interest_outstanding=Decimal(row.due[fen.INTEREST] - row.paid[fen.INTEREST]).scaleb(-2),
                rate=rate, compound_rate=compound, payments=self.late.get(row.pk, []), day_count=terms.day_count,
                grace_days=terms.grace_days,
            )  # fmt: skip
            caps[row.pk] = max(_fen(owed.total), row.paid[fen.PENALTY])
        return caps or None

    def record(self, payment: fen.Payment, value_date: dt.date) -> None:
        """Add a payment just applied to the history of the charged rows it paid."""
        for row, name, share in payment.parts:
            if row.pk in self.terms and name in ("principal", "interest"):
                self._add(row.pk, name, share, value_date)
