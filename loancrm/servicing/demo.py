"""Demo end of day: a generated book of ``DEMO_LOANS`` loans beside the hand-made demo loans, then one end-of-day
run of the business date, which brings every loan's DPD, bucket, classification, accruals and penalty up to date
(each step computes amounts to date, so one run gives what a run every day would) and advances the business date by
one day — so the overdue list, the bucket summary and the month-end trend show a realistic book.

Runs after the loans demo (INSTALLED_APPS order). Idempotent: the book is generated once (its contract numbers
start ``G<DEMO_SEED>-``), and nothing more is done when an end of day has already run or no loan is open.
"""

from __future__ import annotations

from loancrm.loans.choices import OPEN_STATUSES
from loancrm.loans.models import Loan
from loancrm.servicing.generator.writer import generate
from loancrm.servicing.models import EodDay
from loancrm.servicing.services import eod_run

DEMO_LOANS = 3_000
DEMO_MONTHS = 24
DEMO_SEED = 2026
DEMO_BORROWERS = 400


def seed() -> list[str]:
    if EodDay.objects.exists():
        return []
    if not Loan.objects.filter(contract_no__startswith=f"G{DEMO_SEED}-").exists():
        generate(loans=DEMO_LOANS, months=DEMO_MONTHS, seed=DEMO_SEED, pool=DEMO_BORROWERS)
    if not Loan.objects.filter(status__in=OPEN_STATUSES).exists():
        return []
    eod_run()
    return []
