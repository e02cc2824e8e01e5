"""Start (or resume) a job from the shell: ``manage.py job_run NAME [--date YYYY-MM-DD] [--wait]``.

Without ``--wait`` the run is enqueued (with the immediate task backend it has finished when the command returns;
with the database backend a worker picks it up). ``--wait`` runs it in this process and prints its progress.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core.errors import DomainError
from loancrm.jobs.describe import describe_schedule
from loancrm.jobs.models import JobRun
from loancrm.jobs.registry import all_jobs
from loancrm.jobs.runner import execute_run
from loancrm.jobs.services import job_start


class Command(BaseCommand):
    help = "Start or resume a batch job for a business date; --wait runs it in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="job name (omit to list the jobs)")
        parser.add_argument("--date", type=dt.date.fromisoformat, help="business date (default: the current one)")
        parser.add_argument("--wait", action="store_true", help="run here instead of on a worker, printing progress")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["name"]:
            for job in all_jobs():
                self.stdout.write(f"{job.name:<40} {describe_schedule(job.schedule):<24} {job.label}")
            return
        try:
            run = job_start(name=options["name"], business_date=options["date"], enqueue=not options["wait"])
        except DomainError as exc:
            detail = " ".join(str(m) for messages in exc.fields.values() for m in messages)
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        self.stdout.write(f"{run.name} {run.business_date} attempt {run.attempt} (run #{run.pk})")
        if options["wait"]:
            execute_run(run.pk, on_progress=self._progress)
        run = JobRun.objects.get(pk=run.pk)
        self.stdout.write(
            f"{run.status}: {run.processed}/{run.total} processed ({run.percent}%), {run.failed_count} failed"
        )
        if run.status == "failed":
            raise CommandError(run.error.strip().splitlines()[-1] if run.error.strip() else "failed")
        if run.is_active:
            self.stdout.write("queued: a worker (make worker) will run it; follow it on the Batch jobs page")

    def _progress(self, run: JobRun, message: str) -> None:
        if message:
            self.stdout.write(f"  {message}")
        else:
            self.stdout.write(f"  {run.processed}/{run.total} processed, {run.failed_count} failed")
