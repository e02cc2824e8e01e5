"""End of day: ``eod_run`` over a generated portfolio with 1 and 2 workers vs a raw UPDATE baseline.

Set-up (timed separately, printed as the generator's speed): ``generate_portfolio`` books ``BENCH_EOD_LOANS`` loans
(default 100,000) over 24 months. Day 1 runs ``eod_run`` in this process (1 worker); day 2 runs it with a second
worker thread (its own connection) taking partitions with SKIP LOCKED. The accrual/DPD step is the time spent in
``collect_rows`` + ``accrue_interest`` + ``write_interest`` + ``recompute_loans`` of the partitions. Baseline, in the
same run on the same rows, rolled back: one UPDATE of the columns the batch rewrites over the rows a day can change
(instalments' ``interest_accrued`` and ``status`` of the open loans' current rows that are unpaid and whose period
has started: the accruing, due and overdue ones; loans' ``dpd``, ``bucket``, ``risk_class``). Meant for
PostgreSQL (``BENCH_DATABASE_URL``); on SQLite use a small N. ``BENCH_EOD_REUSE=1`` runs on the portfolio already
in the database (generated beforehand with ``generate_portfolio``) instead of generating one.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

N = int(os.environ.get("BENCH_EOD_LOANS", "100000"))
REUSE = os.environ.get("BENCH_EOD_REUSE") == "1"  # run on the portfolio already in the database
SEED = int(os.environ.get("BENCH_EOD_SEED", str(int(time.time()) % 100000)))

_BASELINE = (
    "UPDATE loans_installment i SET interest_accrued = i.interest_accrued, status = i.status FROM loans_loan l "
    "WHERE l.id = i.loan_id AND l.schedule_version = i.version AND l.status IN ('active', 'overdue') "
    "AND i.status <> 'paid' AND i.period_start <= %s",
    "UPDATE loans_loan SET dpd = dpd, bucket = bucket, risk_class = risk_class WHERE status IN ('active', 'overdue')",
)


def _raw_update() -> float:
    from django.db import connection, transaction

    from loancrm.core.business_date import current_business_date

    day = current_business_date()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _BASELINE:
            cursor.execute(statement, [day] if "%s" in statement else [])
        transaction.set_rollback(True)
    return time.perf_counter() - started


class _StepTimer:
    """Wall time spent in the accrual and DPD steps of every partition (all threads)."""

    def __init__(self) -> None:
        from loancrm.servicing.eod import partition

        self.seconds, self.lock, self.module = 0.0, threading.Lock(), partition
        self.saved = {name: getattr(partition, name) for name in ("collect_rows", "accrue_interest",
                                                                  "write_interest", "recompute_loans")}  # fmt: skip
        for name, fn in self.saved.items():
            setattr(partition, name, self._wrap(fn))

    def _wrap(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with self.lock:
                    self.seconds += time.perf_counter() - started

        return timed

    def close(self) -> None:
        for name, fn in self.saved.items():
            setattr(self.module, name, fn)


def _day(workers: int) -> tuple[float, float, int]:
    from django.db import connection

    from loancrm.core.business_date import current_business_date
    from loancrm.servicing.services import eod_assist, eod_plan, eod_run

    day = current_business_date()
    timer = _StepTimer()
    try:
        started = time.perf_counter()
        eod_plan(day)
        helpers = []
        for _ in range(workers - 1):

            def assist() -> None:
                try:
                    eod_assist(day)
                finally:
                    connection.close()

            helpers.append(threading.Thread(target=assist))
            helpers[-1].start()
        report = eod_run(business_date=day)
        for helper in helpers:
            helper.join()
        return time.perf_counter() - started, timer.seconds, report.loans
    finally:
        timer.close()


def _generate() -> None:
    from django.db import connection

    from loancrm.servicing.generator.writer import generate

    generated = generate(loans=N, months=24, seed=SEED)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"eod: generator {generated.loans:,} loans ({generated.installments:,} instalments, "
          f"{generated.transactions:,} transactions, {generated.lines:,} journal lines) in {generated.seconds:.1f} s "
          f"= {generated.loans_per_second:,.0f} loans/s")  # fmt: skip


def run(*, best_of: Any, report: Any) -> None:
    if REUSE:
        from loancrm.loans.models import Loan

        print(f"eod: reusing the portfolio in the database ({Loan.objects.count():,} loans)")
    else:
        _generate()
    raw = min(_raw_update() for _ in range(2))
    one, one_steps, loans = _day(1)
    raw_after = _raw_update()
    two, _two_steps, loans2 = _day(2)
    baseline = min(raw, raw_after)
    report(f"eod: {loans:,} open loans, 1 worker", f"{loans / one:,.0f} loans/s", one, baseline)
    report("eod: accrual/DPD steps, 1 worker", f"{loans / one_steps:,.0f} loans/s vs raw UPDATE "
           f"{loans / baseline:,.0f} loans/s = {baseline / one_steps:.0%}", one_steps, baseline)  # fmt: skip
    report(f"eod: {loans2:,} open loans, 2 workers", f"{loans2 / two:,.0f} loans/s = {one / two * loans2 / loans:.2f}x "
           "one worker", two, baseline)  # fmt: skip
