"""Demo end of day: after the demo loans are booked and repaid to the business date, one end-of-day run of that
date brings their DPD, bucket, classification, accruals and penalty up to date (each step computes amounts to
date, so one run gives what a run every day would) and advances the business date by one day, so the overdue
pages show the demo's late loans.

Runs after the loans demo (INSTALLED_APPS order). Idempotent: nothing is done when an end of day has already run
or there are no open loans.
"""

from __future__ import annotations

from loancrm.loans.choices import OPEN_STATUSES
from loancrm.loans.models import Loan
from loancrm.servicing.models import EodDay
from loancrm.servicing.services import eod_run


def seed() -> list[str]:
    if EodDay.objects.exists() or not Loan.objects.filter(status__in=OPEN_STATUSES).exists():
        return []
    eod_run()
    return []
