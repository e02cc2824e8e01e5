"""Bank statement file: N payments for N loans posted set-based vs a raw COPY + UPDATE FROM baseline.

Set-up (not timed): one loan booked with ``loan_book`` (100,000 / 12 months / 6 % from 2026-01-15) is cloned N times
with INSERT … SELECT (loans and their schedule rows only: the clones have no booking entries, which posting never
reads); the business date is 2026-03-20, so two instalments are overdue. The file is a CSV of N lines: amounts
cycle through one instalment, two, a part of one and an overpayment (→ advance); every 10th line names its
contract only in the memo; 0.5 % of the lines repeat an earlier bank transaction id and 0.5 % name no loan.

Ours: ``run_statement`` on the stored file in chunks of ``CHUNK_SIZE`` — read and parse the CSV, classify,
resolve contracts, lock and load, allocate, and write transactions, parts, journal, instalments, loans, statement
lines, counters and one audit event per chunk. Baseline, in the same run and the same chunks (one transaction
each): COPY N bare payment rows (loan id, amount, date, reference) into a scratch table and one UPDATE … FROM of a
scratch copy of the loans' balances. A sample of ``BENCH_BANK_SINGLE`` payments through ``payment_post`` shows the
per-payment path. ``BENCH_BANK_PAYMENTS`` sets N (default 20,000); ``BENCH_DATABASE_URL`` selects PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import time
import uuid
from decimal import Decimal
from typing import Any

N = int(os.environ.get("BENCH_BANK_PAYMENTS", "20000"))
SINGLE = int(os.environ.get("BENCH_BANK_SINGLE", "500"))
START = dt.date(2026, 1, 15)
BUSINESS_DATE = dt.date(2026, 3, 20)
AMOUNTS = (Decimal("8606.64"), Decimal("17213.28"), Decimal("5000.00"), Decimal("30000.00"))
LOAN_COLUMNS = (
    "customer_id", "product_code", "officer_id", "org_unit_id", "origin", "principal", "annual_rate", "term_months",
    "method", "start_date", "maturity_date", "day_count", "allocation_order", "status", "schedule_version",
    "principal_outstanding", "advance_balance", "booked_at", "booked_by_id",
)  # fmt: skip
ROW_COLUMNS = (
    "version", "period", "due_date", "principal_due", "interest_due", "fee_due", "penalty_due", "interest_accrued",
    "principal_paid", "interest_paid", "fee_paid", "penalty_paid", "status",
)  # fmt: skip


def _clone_loans(template_id: int, prefix: str, count: int) -> None:
    from django.db import connection, transaction

    loans = ", ".join(LOAN_COLUMNS)
    rows = ", ".join(ROW_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
            f"INSERT INTO loans_loan (contract_no, {loans}) SELECT %s || CAST(g.n AS varchar(12)), {loans} "
            "FROM loans_loan t CROSS JOIN g WHERE t.id = %s",
            [count, prefix, template_id],
        )
        cursor.execute(
            f"INSERT INTO loans_installment (loan_id, {rows}) SELECT l.id, {', '.join('i.' + c for c in ROW_COLUMNS)} "
            "FROM loans_loan l JOIN loans_installment i ON i.loan_id = %s WHERE l.contract_no LIKE %s",
            [template_id, prefix + "%"],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE loans_loan")
            cursor.execute("ANALYZE loans_installment")


def _file_rows(prefix: str, token: str) -> list[list[str]]:
    rows = []
    for i in range(1, N + 1):
        contract = f"{prefix}{i}"
        txn = f"{token}{i:08d}"
        memo = "代扣还款"
        if i % 200 == 17:
            txn = f"{token}{i - 1:08d}"  # the same bank transaction twice in the file
        if i % 200 == 33:
            contract = f"{prefix}X{i}"  # no such loan
        if i % 10 == 3:
            contract, memo = "", f"代扣还款 合同{contract} 张三"
        rows.append([txn, contract, str(AMOUNTS[i % len(AMOUNTS)]), BUSINESS_DATE.isoformat(), memo])
    return rows


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["交易流水号", "合同号", "交易金额", "交易日期", "摘要"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _raw_baseline(prefix: str, chunk: int) -> float:
    """COPY (PostgreSQL; executemany on SQLite) N payment rows into a scratch table and UPDATE … FROM a scratch copy
    of the loans' balances, chunk by chunk, one transaction each."""
    from django.db import connection, transaction

    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_payment")
        cursor.execute("DROP TABLE IF EXISTS bench_raw_balance")
        cursor.execute("CREATE TABLE bench_raw_payment (id integer PRIMARY KEY, loan_id bigint, amount numeric(18,2), "
                       "value_date date, reference varchar(64))")  # fmt: skip
        cursor.execute("CREATE TABLE bench_raw_balance (id bigint PRIMARY KEY, principal_outstanding numeric(18,2))")
        cursor.execute("INSERT INTO bench_raw_balance SELECT id, principal_outstanding FROM loans_loan "
                       "WHERE contract_no LIKE %s", [prefix + "%"])  # fmt: skip
        cursor.execute("SELECT id FROM loans_loan WHERE contract_no LIKE %s ORDER BY id", [prefix + "%"])
        loan_ids = [row[0] for row in cursor.fetchall()]
    payments = [(i, loan_ids[i % len(loan_ids)], AMOUNTS[i % len(AMOUNTS)], BUSINESS_DATE, f"R{i:010d}")
                for i in range(N)]  # fmt: skip
    started = time.perf_counter()
    for first in range(0, N, chunk):
        part = payments[first : first + chunk]
        with transaction.atomic(), connection.cursor() as cursor:
            if pg:
                with cursor.copy(
                    "COPY bench_raw_payment (id, loan_id, amount, value_date, reference) FROM STDIN"
                ) as copy:
                    for row in part:
                        copy.write_row(row)
            else:
                rows = [(i, loan, str(amount), day.isoformat(), ref) for i, loan, amount, day, ref in part]
                cursor.executemany("INSERT INTO bench_raw_payment VALUES (%s, %s, %s, %s, %s)", rows)
            cursor.execute(
                "UPDATE bench_raw_balance AS b SET principal_outstanding = b.principal_outstanding - p.amount "
                "FROM bench_raw_payment p WHERE p.loan_id = b.id AND p.id >= %s AND p.id < %s",
                [first, first + chunk],
            )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_payment")
        cursor.execute("DROP TABLE bench_raw_balance")
    return elapsed


def _single_path(template_id: int, prefix: str, channel: Any, actor: Any) -> float:
    """``payment_post`` for SINGLE clones (one payment each, the same amounts as the file)."""
    from loancrm.loans.choices import Source
    from loancrm.loans.models import Loan
    from loancrm.loans.services import payment_post

    _clone_loans(template_id, prefix, SINGLE)
    ids = list(Loan.objects.filter(contract_no__startswith=prefix).order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for i, loan_id in enumerate(ids, start=1):
        payment_post(loan_id=loan_id, amount=AMOUNTS[i % len(AMOUNTS)], value_date=BUSINESS_DATE, actor=actor,
                     source=Source.BANK_FILE, channel=channel, reference=f"{prefix}{i}")  # fmt: skip
    return time.perf_counter() - started


def run(*, best_of: Any, report: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.cases.lead_import import _cpu_seconds
    from loancrm.accounts.tests.factories import make_user
    from loancrm.loans.models import PaymentChannel, StatementImport
    from loancrm.loans.statements import services
    from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date
    from loancrm.loans.tests.statement_factories import make_channel

    token = uuid.uuid4().hex[:6].upper()
    operator = make_user(f"bench_bank_{token.lower()}", role="operations")
    channel = PaymentChannel.objects.filter(code="BENCHBANK").first() or make_channel("BENCHBANK", "bench")
    set_business_date(START)
    template = make_loan(make_customer(), actor=operator, contract_no=f"BT{token}", start_date=START)
    set_business_date(BUSINESS_DATE)
    prefix = f"BF{token}-"
    started = time.perf_counter()
    _clone_loans(template.pk, prefix, N)
    rows = _file_rows(prefix, token)
    upload = SimpleUploadedFile("bench.csv", _csv_bytes(rows))
    statement = services.statement_upload(actor=operator, upload=upload, channel_id=channel.pk)
    services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
    print(f"  set-up: {N:,} loans cloned, {N:,}-line file stored in {time.perf_counter() - started:.1f} s")
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    services.run_statement(statement.pk)
    ours = time.perf_counter() - started
    cpu = [a - b if a is not None and b is not None else None
           for a, b in zip(_cpu_seconds(), cpu_before, strict=True)]  # fmt: skip
    statement = StatementImport.objects.get(pk=statement.pk)
    raw = _raw_baseline(prefix, services.CHUNK_SIZE)
    single = _single_path(template.pk, f"BS{token}-", channel, operator)
    backend = f"{cpu[2]:.1f} s" if cpu[2] is not None else "n/a"
    print(f"  bank file: {N / ours:,.0f} lines/s, {statement.matched / ours:,.0f} payments posted/s "
          f"(matched {statement.matched:,}, unmatched {statement.unmatched:,}, duplicates {statement.duplicates:,}, "
          f"invalid {statement.invalid:,}); raw COPY + UPDATE FROM: {N / raw:,.0f} rows/s; "
          f"payment_post one by one: {SINGLE / single:,.0f} payments/s")  # fmt: skip
    print(f"  CPU: poster process {cpu[0]:.1f} s, database backend {backend}")
    report(f"loans: bank file {N:,} payments, chunks of {services.CHUNK_SIZE:,}", "wall time", ours, raw)
