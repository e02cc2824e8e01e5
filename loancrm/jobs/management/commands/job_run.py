"""Start (or resume) a job from the shell: ``manage.py job_run NAME [--date YYYY-MM-DD] [--wait]``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core.errors import DomainError
from loancrm.jobs.models import JobRun
from loancrm.jobs.registry import all_jobs
from loancrm.jobs.runner import execute_run
from loancrm.jobs.services import job_start


class Command(BaseCommand):
    help = "Start or resume a batch job for a business date; --wait runs it in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="job name (omit to list the jobs)")
        parser.add_argument("--date", type=dt.date.fromisoformat, help="business date, default the current one")
        parser.add_argument("--wait", action="store_true", help="run here instead of on a worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["name"]:
            for job in all_jobs():
                self.stdout.write(f"{job.name:<40} {job.label}")
            return
        if options["wait"]:
            from django.test.utils import override_settings

            immediate = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["batch"]}}
            with override_settings(TASKS=immediate):
                run = self._start(options)
            execute_run(run.pk)
        else:
            run = self._start(options)
        run = JobRun.objects.get(pk=run.pk)
        self.stdout.write(
            f"{run.name} {run.business_date} attempt {run.attempt}: {run.status} "
            f"{run.processed}/{run.total} processed, {run.failed_count} failed"
        )
        if run.error:
            raise CommandError(run.error.strip().splitlines()[-1])

    def _start(self, options: dict[str, Any]) -> JobRun:
        try:
            return job_start(name=options["name"], business_date=options["date"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
