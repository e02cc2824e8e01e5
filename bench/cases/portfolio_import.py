"""Existing-portfolio import: a generated N-loan .xlsx (four repayment methods, repayments to date) through the upload
check and the background run, vs raw INSERTs of the same loans and instalment rows.

Ours is ``portfolio_upload`` (store, hash, check every row: parse, schedule, blind indexes, one query per kind per
chunk) and then ``run_portfolio_import``: per row a savepoint, a new customer (encrypted ID number and mobile, blind
indexes, number, audit event), ``loan_book`` (loan, schedule rows, migration entry and transaction, audit event) and
each historic repayment replayed through the waterfall (journal entry, transaction, parts, instalment updates, loan
update). The baseline inserts N bare loan rows and their schedule rows into scratch tables with multi-row INSERTs in
chunks of the same size, one transaction each. ``BENCH_PORTFOLIO_ROWS`` sets N (default 10,000).

Use a fresh database each time: booked loans cannot be deleted (the journal is append-only), so a second run on the
same database skips the loans the first one booked (idempotence) and measures less booking.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS = int(os.environ.get("BENCH_PORTFOLIO_ROWS", "10000"))
BUSINESS_DATE = dt.date(2026, 6, 30)


def _write_file(path: Path) -> None:
    from openpyxl import Workbook

    from loancrm.loans.portfolio.example import generated_rows

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("存量贷款")
    for row in generated_rows(ROWS):
        sheet.append(row)
    workbook.save(path)


def _setup() -> Any:
    from django.db import connection

    from loancrm.accounts.models import OrgUnit
    from loancrm.accounts.tests.factories import make_org_tree, make_user
    from loancrm.loans.tests.factories import set_business_date

    org = make_org_tree() if not OrgUnit.objects.filter(code="T-HQ").exists() else None
    unit = org.hq if org else OrgUnit.objects.get(code="T-HQ")
    set_business_date(BUSINESS_DATE)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_loan")
        cursor.execute("DROP TABLE IF EXISTS bench_raw_installment")
        cursor.execute("CREATE TABLE bench_raw_loan (contract_no varchar(40) PRIMARY KEY, principal numeric(18, 2))")
        cursor.execute("CREATE TABLE bench_raw_installment (contract_no varchar(40), period integer, principal "
                       "numeric(18, 2), interest numeric(18, 2), PRIMARY KEY (contract_no, period))")  # fmt: skip
    from loancrm.accounts.models import User

    return User.objects.filter(username="bench_portfolio_ops").first() or make_user(
        "bench_portfolio_ops", role="operations", unit=unit
    )


def _raw_baseline(chunk: int) -> tuple[float, int]:
    from django.db import connection, transaction

    from loancrm.loans.portfolio.example import generated_rows

    loans = [(row[0], str(row[5]), int(row[7])) for row in generated_rows(ROWS)[1:]]
    started, lines = time.perf_counter(), 0
    for start in range(0, len(loans), chunk):
        part = loans[start : start + chunk]
        schedule = [(contract, k, "100.00", "10.00") for contract, _p, term in part for k in range(1, term + 1)]
        lines += len(schedule)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO bench_raw_loan VALUES {', '.join(['(%s, %s)'] * len(part))}",
                           [cell for contract, principal, _t in part for cell in (contract, principal)])  # fmt: skip
            for at in range(0, len(schedule), 500):  # SQLite's limit on bound parameters
                rows = schedule[at : at + 500]
                values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
                cursor.execute(f"INSERT INTO bench_raw_installment VALUES {values}", [c for row in rows for c in row])
    return time.perf_counter() - started, lines


def run(*, best_of: Any, report: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.cases.lead_import import _cpu_seconds
    from loancrm.ledger.models import JournalEntry
    from loancrm.loans.models import LoanTransaction, PortfolioImport
    from loancrm.loans.portfolio import job, services

    ops = _setup()
    PortfolioImport.objects.all().delete()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started = time.perf_counter()
        _write_file(path)
        print(
            f"  generated {ROWS:,} loans, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        imp = services.portfolio_upload(actor=ops, upload=SimpleUploadedFile("bench.xlsx", path.read_bytes()))
    check = time.perf_counter() - started
    PortfolioImport.objects.filter(pk=imp.pk).update(status="running")
    entries, txns = JournalEntry.objects.count(), LoanTransaction.objects.count()
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    job.run_portfolio_import(imp.pk)
    ours = time.perf_counter() - started
    cpu = [after - before if after is not None and before is not None else None
           for after, before in zip(_cpu_seconds(), cpu_before, strict=True)]  # fmt: skip
    imp.refresh_from_db()
    raw, lines = _raw_baseline(services.CHUNK_SIZE)
    print(f"  upload check: {check:.1f} s ({imp.total_rows / check:,.0f} rows/s); run: {imp.rows_done / ours:,.0f} "
          f"rows/s (booked {imp.booked:,}, skipped {imp.skipped:,}, rejected {imp.rejected:,}; "
          f"{JournalEntry.objects.count() - entries:,} journal entries, "
          f"{LoanTransaction.objects.count() - txns:,} transactions); raw INSERT of the loans and {lines:,} schedule "
          f"rows: {ROWS / raw:,.0f} loans/s")  # fmt: skip
    backend = f"{cpu[2]:.1f} s" if cpu[2] is not None else "n/a"
    print(f"  CPU: importer {cpu[0]:.1f} s, database backend {backend}")
    report(f"loans: {ROWS:,}-loan portfolio xlsx, chunks of {services.CHUNK_SIZE}", "wall time", ours, raw)
