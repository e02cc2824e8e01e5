"""Helpers for end-of-day tests: run days, read the state that must be the same however it was reached."""

from __future__ import annotations

import datetime as dt
from typing import Any

from loancrm.core.business_date import current_business_date
from loancrm.ledger.checks import run_checks
from loancrm.ledger.models import JournalLine
from loancrm.loans.models import Installment, Loan
from loancrm.servicing.models import BucketChange
from loancrm.servicing.services import EodReport, eod_run


def run_until(last: dt.date) -> list[EodReport]:
    """Run the end of day of every business date up to and including ``last``."""
    reports = []
    while current_business_date() <= last:
        reports.append(eod_run())
    return reports


def state() -> dict[str, Any]:
    """Loans, their current instalments, bucket history and journal lines (ids left out)."""
    loans = list(
        Loan.objects.order_by("pk").values_list(
            "contract_no", "status", "dpd", "bucket", "risk_class", "principal_outstanding", "advance_balance"
        )
    )
    rows = list(
        Installment.objects.order_by("loan_id", "version", "period").values_list(
            "loan__contract_no",
            "version",
            "period",
            "status",
            "interest_accrued",
            "penalty_due",
            "penalty_paid",
            "principal_paid",
            "interest_paid",
            "paid_on",
            "penalty_rate",
        )
    )
    changes = list(
        BucketChange.objects.order_by("loan_id", "business_date").values_list(
            "loan__contract_no", "business_date", "from_bucket", "to_bucket", "dpd"
        )
    )
    lines = sorted(
        (day, code, contract or "", debit, credit)
        for day, code, contract, debit, credit in JournalLine.objects.values_list(
            "entry__entry_date", "account__code", "loan__contract_no", "debit", "credit"
        )
    )
    return {"loans": loans, "rows": rows, "changes": changes, "lines": lines, "date": current_business_date()}


def assert_ledger_clean() -> None:
    report = run_checks()
    assert report.ok, [str(p) for p in report.problems]
