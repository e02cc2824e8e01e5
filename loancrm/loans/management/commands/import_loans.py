"""Import an existing portfolio from the shell: ``manage.py import_loans FILE.xlsx|csv [--dry-run] [--user NAME]``.

The file is stored and checked as on the upload page, then booked in this process (the same background job, run
here: its progress is on the Batch jobs page too), printing progress and a summary. ``--dry-run`` only checks, writing
nothing. The exit status is 1 when any row is rejected (or would be), so a migration script can stop on it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core.errors import DomainError
from loancrm.jobs.runner import execute_run
from loancrm.loans.models import PortfolioImport
from loancrm.loans.portfolio import services
from loancrm.loans.portfolio.errors_file import error_lines, write_errors
from loancrm.loans.portfolio.reader import file_kind

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import running loans from an .xlsx or .csv file (booked as migrated with their repayments to date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, book nothing")
        parser.add_argument("--user", help="username the import is booked by (default: the system)")
        parser.add_argument("--errors", type=Path, help="write the per-row errors to this .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = self._actor(options["user"])
        if options["dry_run"]:
            self._dry_run(path, options["errors"])
            return
        started = time.perf_counter()
        try:
            with path.open("rb") as handle:
                imp = services.portfolio_upload(actor=actor, upload=File(handle, name=path.name))
        except DomainError as exc:
            raise CommandError(exc.summary()) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(f"{imp} {imp.file_name}: {imp.total_rows} rows checked in {seconds:.1f} s — "
                          f"{imp.checked_valid} to book, {imp.checked_existing} already booked, "
                          f"{imp.checked_invalid} invalid")  # fmt: skip
        for other in PortfolioImport.objects.filter(file_sha256=imp.file_sha256).exclude(pk=imp.pk)[:3]:
            self.stdout.write(f"  the same file was imported as {other} on {other.created_at:%Y-%m-%d %H:%M} "
                              f"({other.status}, {other.booked} booked)")  # fmt: skip
        imp = services.portfolio_start(actor=actor, import_id=imp.pk, enqueue=False)
        assert imp.job_run_id is not None
        self._last = 0.0
        run_started = time.perf_counter()
        execute_run(imp.job_run_id, on_progress=lambda run, message: self._progress(imp.pk, run_started))
        self._summary(PortfolioImport.objects.get(pk=imp.pk), time.perf_counter() - run_started, options["errors"])

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        if not user.has_perm(services.PERMISSION):
            raise CommandError(f"{username} may not book loans ({services.PERMISSION})")
        return user

    def _dry_run(self, path: Path, errors_path: Path | None) -> None:
        kind = file_kind(path.name)
        if kind not in services.KINDS:
            raise CommandError("the file must be .xlsx or .csv")
        try:
            pf = services.open_checked(path, kind)
            check = services.check_rows(pf)
        except DomainError as exc:
            raise CommandError(exc.summary()) from exc
        rate = check.total / check.seconds if check.seconds else 0
        self.stdout.write(f"dry run: {check.total} rows checked in {check.seconds:.1f} s ({rate:.0f} rows/s) — "
                          f"{check.valid} would be booked, {check.existing} skipped (already booked), "
                          f"{check.invalid} rejected")  # fmt: skip
        self._errors(pf, check.errors, errors_path)
        if check.invalid:
            raise CommandError(f"{check.invalid} rows would be rejected")

    def _progress(self, import_id: int, started: float) -> None:
        now = time.perf_counter()
        imp = PortfolioImport.objects.only("rows_done", "total_rows", "booked", "skipped", "rejected").get(pk=import_id)
        if now - self._last < 1.0 and imp.rows_done < imp.total_rows:
            return
        self._last = now
        rate = imp.rows_done / (now - started) if now > started else 0
        self.stdout.write(f"  {imp.rows_done}/{imp.total_rows} rows ({imp.percent}%): booked {imp.booked}, skipped "
                          f"{imp.skipped}, rejected {imp.rejected} — {rate:.0f} rows/s")  # fmt: skip

    def _summary(self, imp: PortfolioImport, seconds: float, errors_path: Path | None) -> None:
        rate = imp.rows_done / seconds if seconds else 0
        counts = f"booked {imp.booked}, skipped {imp.skipped}, rejected {imp.rejected} of {imp.total_rows} rows"
        self.stdout.write(f"{imp} {imp.get_status_display()}: {counts} in {seconds:.1f} s ({rate:.0f} rows/s)")
        self._errors(services.portfolio_file(imp), imp.errors, errors_path)
        if imp.failure:
            raise CommandError(imp.failure)
        if imp.rejected:
            raise CommandError(f"{imp.rejected} rows rejected")

    def _errors(self, pf: Any, errors: list[dict[str, Any]], errors_path: Path | None) -> None:
        for number, contract, column, label, message in list(error_lines(pf, errors[:SHOWN_ERRORS])):
            self.stdout.write(f"  row {number} {contract} {column or label}: {message}")
        if len(errors) > SHOWN_ERRORS:
            self.stdout.write(f"  … {len(errors) - SHOWN_ERRORS} more errors")
        if errors_path is not None and errors:
            count = write_errors(errors_path, pf, errors)
            self.stdout.write(f"  {count} errors written to {errors_path}")
