"""``manage.py eod_run [--date YYYY-MM-DD] [--assist]``: the end of day of the business date, in this process.

Runs through the job ``eod.run`` (progress on the batch-jobs page; a failed run resumes from its finished
partitions). A date already closed is reported and left alone. ``--assist`` only helps a running end of day:
it processes pending partitions and exits (start it in more processes for more workers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError
from loancrm.jobs.models import JobRun
from loancrm.jobs.runner import execute_run
from loancrm.jobs.services import JobAlreadyDone, job_start
from loancrm.servicing.jobs import JOB_NAME
from loancrm.servicing.services import eod_assist, eod_check


class Command(BaseCommand):
    help = "Run the end of day for the business date (accruals, penalty, DPD, buckets, journal, next date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="business date (default: the current one)")
        parser.add_argument("--assist", action="store_true", help="only process pending partitions of a running day")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"] or current_business_date()
        if options["assist"]:
            self.stdout.write(f"eod {day}: {eod_assist(day)} partition(s) processed")
            return
        try:
            if eod_check(day) is not None:
                self.stdout.write(f"eod {day}: already done, nothing changed")
                return
            run = job_start(name=JOB_NAME, business_date=day, enqueue=False)
        except JobAlreadyDone:
            self.stdout.write(f"eod {day}: already done, nothing changed")
            return
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        execute_run(run.pk, on_progress=self._progress)
        run = JobRun.objects.get(pk=run.pk)
        if run.status == "failed":
            raise CommandError(run.error.strip().splitlines()[-1] if run.error.strip() else "failed")
        self.stdout.write(f"eod {day}: {run.status}, {run.processed}/{run.total} loans; business date now "
                          f"{current_business_date()}")  # fmt: skip

    def _progress(self, run: JobRun, message: str) -> None:
        self.stdout.write(f"  {message}" if message else f"  {run.processed}/{run.total} loans")
