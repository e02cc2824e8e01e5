"""Schedule generation and booking per loan.

- pure maths: ``build_schedule`` for a 12-month and a 360-month equal-instalment loan; baseline: the same
  annuity recurrence in floats (what a spreadsheet does, wrong to the fen but the floor for any loop);
- booking: ``loan_book`` (loan, 12 rows, journal entry with two lines, transaction, audit event) vs raw INSERTs of
  the loan row and its 12 instalment rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

N_MATHS = 1_000
N_BOOK = 200
_numbers = itertools.count(1)


def _floats(principal: float, rate: float, n: int) -> list[tuple[float, float]]:
    r = rate / 12
    payment = principal * r * (1 + r) ** n / ((1 + r) ** n - 1)
    balance, lines = principal, []
    for _ in range(n):
        interest = round(balance * r, 2)
        lines.append((payment - interest, interest))
        balance -= payment - interest
    return lines


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection, transaction

    from loancrm.loans.schedule import build_schedule
    from loancrm.loans.services import loan_book
    from loancrm.loans.tests.factories import make_customer, make_terms, set_business_date

    start = dt.date(2026, 1, 15)
    for term in (12, 360):

        def ours(term: int = term) -> None:
            for _ in range(N_MATHS):
                build_schedule(principal=Decimal("100000.00"), annual_rate=Decimal("0.049"), term_months=term,
                               method="equal_installment", start_date=start)  # fmt: skip

        def floats(term: int = term) -> None:
            for _ in range(N_MATHS):
                _floats(100000.0, 0.049, term)

        report(f"loans: build_schedule {term} months x{N_MATHS}", "per 1k schedules", best_of(ours, 3),
               best_of(floats, 3))  # fmt: skip

    set_business_date(dt.date(2026, 6, 1))
    customer = make_customer()
    run_id = next(_numbers)

    def book() -> None:
        with transaction.atomic():
            for i in range(N_BOOK):
                terms = make_terms(contract_no=f"BENCH{run_id}-{next(_numbers)}-{i}", start_date=start)
                loan_book(customer=customer, terms=terms, actor=None)

    loan_sql = (
        "INSERT INTO loans_loan (contract_no, customer_id, product_code, origin, principal, annual_rate, term_months, "
        "method, start_date, maturity_date, day_count, allocation_order, status, schedule_version, "
        "principal_outstanding, advance_balance, booked_at) VALUES (%s, %s, 'X', 'disbursed', 100000, 0.06, 12, "
        "'equal_installment', %s, %s, 360, 'fee,penalty,interest,principal', 'active', 1, 100000, 0, %s)"
    )
    row_sql = (
        "INSERT INTO loans_installment (loan_id, version, period, due_date, principal_due, interest_due, fee_due, "
        "penalty_due, interest_accrued, principal_paid, interest_paid, fee_paid, penalty_paid, status) "
        "VALUES (%s, 1, %s, %s, 8106.64, 500, 0, 0, 0, 0, 0, 0, 0, 'pending')"
    )

    def raw() -> None:
        now = dt.datetime.now(dt.UTC)
        with transaction.atomic(), connection.cursor() as cursor:
            for i in range(N_BOOK):
                cursor.execute(loan_sql, [f"RAW{run_id}-{next(_numbers)}-{i}", customer.pk, start, start, now])
                cursor.execute("SELECT MAX(id) FROM loans_loan")
                loan_id = cursor.fetchone()[0]
                cursor.executemany(row_sql, [(loan_id, k, start) for k in range(1, 13)])

    report(f"loans: loan_book x{N_BOOK} (12 rows each)", "per 200 loans", best_of(book, 3), best_of(raw, 3))
