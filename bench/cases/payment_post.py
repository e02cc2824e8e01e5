"""Online repayment posting at the service level: 8 concurrent clients calling ``payment_post`` (waterfall,
journal entry, parts, instalment rows, loan balances, audit chain) on their own loans; baseline: the same number
of raw transactions from 8 clients, each inserting a transaction row and three journal lines and updating one
instalment row and one loan row.

Meaningful on PostgreSQL (BENCH_DATABASE_URL); on SQLite writers serialise.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from decimal import Decimal
from typing import Any

CLIENTS = 8
PER_CLIENT = int(os.environ.get("BENCH_PAYMENTS_PER_CLIENT", "200"))
LOANS_PER_CLIENT = 10
_run = itertools.count(1)


def book_bench_loans(count: int, prefix: str) -> list[int]:
    """``count`` reference loans started 2026-01-15 (business date set to 2026-06-01)."""
    from django.db import transaction

    from loancrm.loans.services import loan_book
    from loancrm.loans.tests.factories import make_customer, make_terms, set_business_date

    set_business_date(dt.date(2026, 6, 1))
    customer = make_customer()
    ids = []
    with transaction.atomic():
        for i in range(count):
            terms = make_terms(contract_no=f"{prefix}-{i}", start_date=dt.date(2026, 1, 15))
            ids.append(loan_book(customer=customer, terms=terms, actor=None).pk)
    return ids


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection

    from bench.cases.lead_intake import CLIENTS as RAW_CLIENTS
    from bench.cases.lead_intake import _parallel

    if connection.vendor != "postgresql":
        print("  payment_post: skipped (set BENCH_DATABASE_URL to a PostgreSQL database)")
        return
    assert RAW_CLIENTS == CLIENTS
    run_id = next(_run)
    loans = book_bench_loans(CLIENTS * LOANS_PER_CLIENT, f"PB{os.getpid()}-{run_id}")
    from loancrm.loans.services import payment_post

    def ours(n: int, i: int) -> None:
        loan_id = loans[n * LOANS_PER_CLIENT + i % LOANS_PER_CLIENT]
        payment_post(loan_id=loan_id, amount=Decimal("10.00"), value_date=dt.date(2026, 6, 1), actor=None)

    import bench.cases.lead_intake as shared

    saved, shared.PER_CLIENT = shared.PER_CLIENT, PER_CLIENT
    try:
        elapsed, latencies = _parallel(ours)
    finally:
        shared.PER_CLIENT = saved
    total = CLIENTS * PER_CLIENT
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"  payment_post: {total / elapsed:,.0f} payments/s, p99 {p99:.1f} ms ({CLIENTS} clients × {PER_CLIENT})")

    raw_elapsed, raw_p99 = raw_posting_baseline(loans, PER_CLIENT)
    print(f"  raw 5-statement transactions: {total / raw_elapsed:,.0f}/s, p99 {raw_p99:.1f} ms")
    report(f"loans: payment_post x{total}, {CLIENTS} clients", "wall time", elapsed, raw_elapsed)


def raw_posting_baseline(loans: list[int], per_client: int) -> tuple[float, float]:
    """8 clients × ``per_client`` raw transactions like a posting's writes; returns (wall time, p99 ms)."""
    from django.db import connection

    import bench.cases.lead_intake as shared

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_raw_txn (id bigserial PRIMARY KEY, loan_id bigint, "
                       "amount numeric(18,2))")  # fmt: skip
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_raw_line (id bigserial PRIMARY KEY, txn_id bigint, "
                       "account int, debit numeric(18,2), credit numeric(18,2))")  # fmt: skip
    connection.close()

    def raw(n: int, i: int) -> None:
        from django.db import connection as conn
        from django.db import transaction

        loan_id = loans[n * LOANS_PER_CLIENT + i % LOANS_PER_CLIENT]
        with transaction.atomic(), conn.cursor() as cursor:
            cursor.execute("SELECT id FROM loans_loan WHERE id = %s FOR UPDATE", [loan_id])
            cursor.execute("INSERT INTO bench_raw_txn (loan_id, amount) VALUES (%s, 10) RETURNING id", [loan_id])
            txn = cursor.fetchone()[0]
            cursor.execute("INSERT INTO bench_raw_line (txn_id, account, debit, credit) VALUES (%s, 1, 10, 0), "
                           "(%s, 2, 0, 5), (%s, 3, 0, 5)", [txn, txn, txn])  # fmt: skip
            cursor.execute("UPDATE loans_installment SET interest_paid = interest_paid WHERE loan_id = %s AND "
                           "version = 1 AND period = 6", [loan_id])  # fmt: skip
            cursor.execute("UPDATE loans_loan SET advance_balance = advance_balance WHERE id = %s", [loan_id])

    saved, shared.PER_CLIENT = shared.PER_CLIENT, per_client
    try:
        elapsed, latencies = shared._parallel(raw)
    finally:
        shared.PER_CLIENT = saved
    return elapsed, latencies[int(len(latencies) * 0.99) - 1] * 1000
