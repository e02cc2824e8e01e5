"""Post a bank statement file from the shell: ``manage.py import_statement FILE --channel CODE [--user NAME]``.

The file goes through the same upload checks and the same background job as an upload in the UI, run in this
process with its progress printed; the reconciliation report (count and amount per result) is printed at the end.
``--user`` names the operator the postings are recorded under (default: the first active superuser).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core.errors import DomainError
from loancrm.core.money import format_money
from loancrm.jobs.models import JobRun
from loancrm.jobs.runner import execute_run
from loancrm.loans.models import PaymentChannel, StatementImport
from loancrm.loans.statements import selectors, services


class Command(BaseCommand):
    help = "Post a bank statement file (.csv or .xlsx) for a payment channel and print its reconciliation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--channel", required=True, help="payment channel code")
        parser.add_argument("--user", help="username of the operator (default: the first active superuser)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = self._actor(options["user"])
        channel = PaymentChannel.objects.filter(code=options["channel"]).first()
        if channel is None:
            raise CommandError(f"no payment channel with code {options['channel']!r}")
        try:
            upload = SimpleUploadedFile(path.name, path.read_bytes())
            statement = services.statement_upload(actor=actor, upload=upload, channel_id=channel.pk)
            statement = services.statement_start(actor=actor, statement_id=statement.pk, enqueue=False)
        except DomainError as exc:
            raise CommandError(exc.summary()) from exc
        self.stdout.write(f"statement #{statement.pk}: {statement.total_lines} lines, posting (job run "
                          f"#{statement.job_run_id})")  # fmt: skip
        execute_run(statement.job_run_id, on_progress=self._progress)  # type: ignore[arg-type]
        statement = StatementImport.objects.get(pk=statement.pk)
        for row in selectors.reconciliation(statement):
            label = str(row["label"]) if row["result"] else "total"
            self.stdout.write(f"  {label:<24} {row['count']:>8}  {format_money(row['amount']):>18}")
        if statement.status != "done":
            raise CommandError(statement.error or "the posting failed")
        self.stdout.write(
            self.style.SUCCESS(f"done: {statement.matched} posted, {format_money(statement.amount_posted)}")
        )

    def _actor(self, username: str | None) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        actor = users.filter(username=username).first() if username else users.filter(is_superuser=True).first()
        if actor is None:
            raise CommandError("no such active user; pass --user" if username else "no active superuser; pass --user")
        return actor

    def _progress(self, run: JobRun, message: str) -> None:
        self.stdout.write(f"  {message}" if message else f"  {run.processed}/{run.total} lines")
