"""Portfolio imports: upload (store privately, check every row), start or resume the background run.

Invariants: only a holder of ``loans.book_loan`` (or the system, ``actor=None``: the shell command) uploads or
starts; a refused upload (wrong type, too big, too many rows, empty, unreadable, a required column missing) writes
nothing — no row, no file; the stored file is named by a random id under MEDIA_ROOT/portfolio/, outside every served
folder, with its size and sha256 (the same file uploaded again is recognised by it); the check at upload reads the
database but writes only the import row; a run starts only from waiting (a first start: counts and errors reset) or
failed / stalled (a resume from the committed cursor); every step is audited.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from loancrm.loans.choices import ImportStatus
from loancrm.loans.models import PortfolioImport
from loancrm.loans.portfolio.checks import BOOK, SKIP, RowChecker
from loancrm.loans.portfolio.columns import missing_fields
from loancrm.loans.portfolio.messages import field_label
from loancrm.loans.portfolio.reader import KINDS, PortfolioFile, UnreadableFile, file_kind, looks_like, open_file

JOB_NAME = "loans.portfolio_import"
PERMISSION = "loans.book_loan"
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000  # the upload request checks every row (~1,500 rows/s of CPU); booking runs ~10–40 rows/s
MAX_ERRORS = 50_000  # stored per import; a file with more is not worth correcting row by row
CHUNK_SIZE = 50  # ~1.5 s of booking per chunk: on SQLite the chunk holds the write lock (others wait ≤ 20 s)
TRANSITIONS: dict[str, set[str]] = {
    ImportStatus.PENDING: {ImportStatus.RUNNING},
    ImportStatus.RUNNING: {ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.RUNNING},  # running → running: stalled
    ImportStatus.FAILED: {ImportStatus.RUNNING},
    ImportStatus.DONE: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition()


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "portfolio"


def portfolio_file(imp: PortfolioImport) -> PortfolioFile:
    return PortfolioFile(storage_dir() / Path(imp.stored_path).name, imp.file_kind, imp.encoding,
                         tuple(imp.headers), tuple(imp.mapping))  # fmt: skip


def _refuse(message: Any) -> ValidationFailed:
    return ValidationFailed(fields={"file": [message]})


def _check_actor(actor: Any) -> None:
    if actor is not None and not actor.has_perm(PERMISSION):
        raise PermissionDenied()


@dataclass
class CheckResult:
    total: int = 0
    valid: int = 0
    invalid: int = 0
    existing: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def check_rows(pf: PortfolioFile, *, limit: int = MAX_ROWS) -> CheckResult:
    """Decide every data row as the run would (nothing written): counts and the errors of rejected rows."""
    started = time.perf_counter()
    result = CheckResult()
    checker = RowChecker(business_date=current_business_date(), today=timezone.localdate())
    rows = pf.rows()
    while chunk := list(islice(rows, CHUNK_SIZE * 10)):
        result.total += len(chunk)
        if result.total > limit:
            raise _refuse(_("The file has more than %(max)d data rows; split it.") % {"max": limit})
        for decision in checker.decide(chunk):
            if decision.outcome == BOOK:
                result.valid += 1
            elif decision.outcome == SKIP:
                result.existing += 1
            else:
                result.invalid += 1
                result.errors.extend(decision.error_dicts()[: max(0, MAX_ERRORS - len(result.errors))])
    result.seconds = time.perf_counter() - started
    return result


def open_checked(path: Path, kind: str) -> PortfolioFile:
    """The file with its header and mapping, refused when unreadable or when a required column is missing."""
    try:
        pf = open_file(path, kind)
    except UnreadableFile as exc:
        raise _refuse(_("The file could not be read as %(kind)s.") % {"kind": kind.upper()}) from exc
    missing = missing_fields(list(pf.mapping))
    if missing:
        labels = ", ".join(field_label("term_months") if name == "term" else field_label(name) for name in missing)
        raise _refuse(_("Columns missing: %(columns)s. Use the template's headers.") % {"columns": labels})
    return pf


def _store(chunks: Iterator[bytes], kind: str) -> tuple[Path, int, str]:
    """Copy the upload to a private file while hashing it; refuses more than MAX_BYTES."""
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_BYTES:
                break
            digest.update(chunk)
            handle.write(chunk)
    if size > MAX_BYTES:
        path.unlink()
        raise _refuse(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    return path, size, digest.hexdigest()


def portfolio_upload(*, actor: Any, upload: Any, request: HttpRequest | None = None) -> PortfolioImport:
    """Store an uploaded portfolio file (a Django ``File``: ``name``, ``size``, ``chunks()``) and check every row."""
    _check_actor(actor)
    name = Path(upload.name or "").name
    kind = file_kind(name)
    if kind not in KINDS:
        raise _refuse(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
    if not upload.size:
        raise _refuse(_("The file is empty."))
    if upload.size > MAX_BYTES:
        raise _refuse(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    if not looks_like(kind, upload.read(8)):
        raise _refuse(_("The file's content does not match its .%(kind)s extension.") % {"kind": kind})
    upload.seek(0)
    path, size, sha256 = _store(upload.chunks(), kind)
    try:
        pf = open_checked(path, kind)
        try:
            check = check_rows(pf)
        except UnreadableFile as exc:
            raise _refuse(_("The file could not be read as %(kind)s.") % {"kind": kind.upper()}) from exc
        if check.total == 0:
            raise _refuse(_("The file has no data rows under the header row."))
        user = actor if getattr(actor, "pk", None) else None
        with transaction.atomic():
            imp = PortfolioImport.objects.create(
                file_name=name[:200], file_sha256=sha256, stored_path=path.name, file_kind=kind,
                encoding=pf.encoding, file_size=size, headers=list(pf.headers), mapping=list(pf.mapping),
                total_rows=check.total, checked_valid=check.valid, checked_invalid=check.invalid,
                checked_existing=check.existing, errors=check.errors, created_by=user,
            )  # fmt: skip
            audit_event(actor, "portfolio_import.uploaded", imp,
                        {"file": name, "size": size, "sha256": sha256, "rows": check.total, "valid": check.valid,
                         "invalid": check.invalid, "already_booked": check.existing}, request)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return imp


@transaction.atomic
def portfolio_start(
    *, actor: Any, import_id: int, request: HttpRequest | None = None, enqueue: bool = True
) -> PortfolioImport:
    """Start the run of a checked import, or resume a failed or stalled one from its committed cursor.

    ``enqueue=False`` leaves the job run pending for the caller to execute in-process (the shell command)."""
    from loancrm.jobs.models import JobRun
    from loancrm.jobs.services import JobRunning, job_start

    _check_actor(actor)
    imp = PortfolioImport.objects.select_for_update(of=("self",)).select_related("job_run").get(pk=import_id)
    ensure_transition(imp.status, ImportStatus.RUNNING)
    if imp.status == ImportStatus.RUNNING and not imp.is_stalled:
        raise JobRunning()
    resumed = imp.status != ImportStatus.PENDING
    run = job_start(name=JOB_NAME, run_key=f"portfolio-{imp.pk}", request=request, enqueue=enqueue)
    JobRun.objects.filter(pk=run.pk).update(triggered_by=actor if getattr(actor, "pk", None) else None)
    if not resumed:
        imp.errors, imp.booked, imp.skipped, imp.rejected, imp.rows_done = [], 0, 0, 0, 0
    imp.status, imp.job_run, imp.failure = ImportStatus.RUNNING, run, ""
    imp.started_at = imp.started_at or timezone.now()
    imp.save(update_fields=["errors", "booked", "skipped", "rejected", "rows_done", "status", "job_run", "failure",
                            "started_at"])  # fmt: skip
    audit_event(actor, "portfolio_import.started", imp,
                {"job_run": run.pk, "resumed": resumed, "from_row": imp.rows_done}, request)  # fmt: skip
    return imp
