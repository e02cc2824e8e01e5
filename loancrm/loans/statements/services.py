"""Bank statement files: upload (validate, store privately), start the background posting, and the run itself.

Invariants: a refused upload (no permission, wrong type, too big or too long, unreadable, no usable header row,
unknown or inactive channel, channel without its clearing account) writes nothing — no row, no file; the stored
file is named by a random id under MEDIA_ROOT/statements/, outside every served folder; each chunk's lines,
postings, counters and resume point (``lines_done``) commit in one transaction under the statement's and the
channel's row locks, so a run that dies resumes at the first uncommitted chunk and never posts a line twice; one
audit event per upload, start, chunk (counts and amounts) and end — not per line.
"""

from __future__ import annotations

import gc
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, PermissionDenied, ValidationFailed
from loancrm.core.money import ZERO, money_str
from loancrm.imports.reader import KINDS, UnreadableFile, detect_encoding, looks_like
from loancrm.jobs.runner import JobRunContext
from loancrm.ledger.models import LedgerAccount
from loancrm.loans.choices import ImportStatus, MatchResult
from loancrm.loans.models import PaymentChannel, StatementImport, StatementLine
from loancrm.loans.services.payments import clearing_account
from loancrm.loans.statements.columns import FIELDS
from loancrm.loans.statements.parsing import ParsedLine
from loancrm.loans.statements.poster import ChunkResult, post_chunk
from loancrm.loans.statements.reader import count_lines, find_layout, parsed_lines

JOB_NAME = "loans.post_bank_statement"
PERMISSION = "loans.post_payment"
CHUNK_SIZE = 5_000
MAX_BYTES = 30 * 1024 * 1024
MAX_LINES = 200_000
GC_THRESHOLD = 50_000
COLUMN_LABELS = {
    "txn_id": _("bank transaction id"),
    "contract_no": _("contract number or memo"),
    "amount": _("amount"),
    "paid_on": _("date"),
    "memo": _("memo"),
}


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "statements"


def stored_file(statement: StatementImport) -> Path:
    return storage_dir() / Path(statement.stored_path).name


def _refuse(message: Any, field: str = "file") -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})


def _store(upload: UploadedFile, kind: str) -> tuple[Path, int, str]:
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > MAX_BYTES:
                break
            digest.update(chunk)
            handle.write(chunk)
    if size > MAX_BYTES:
        path.unlink()
        raise _refuse(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    return path, size, digest.hexdigest()


def usable_channel(channel_id: Any) -> PaymentChannel:
    """An active channel whose clearing account exists in the ledger (``ValidationFailed`` on ``channel``)."""
    channel = PaymentChannel.objects.filter(pk=channel_id, is_active=True).first() if channel_id else None
    if channel is None:
        raise _refuse(_("Choose an active payment channel."), "channel")
    if not LedgerAccount.objects.filter(code=clearing_account(channel.code)).exists():
        raise _refuse(_("The channel has no clearing account in the ledger."), "channel")
    return channel


def statement_upload(
    *, actor: Any, upload: UploadedFile, channel_id: Any, request: HttpRequest | None = None
) -> StatementImport:
    """Validate and store a statement file for ``channel_id`` (see module invariants); it waits to be started."""
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied()
    name = Path(upload.name or "").name
    kind = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind not in KINDS:
        raise _refuse(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
    if not upload.size:
        raise _refuse(_("The file is empty."))
    if upload.size > MAX_BYTES:
        raise _refuse(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    channel = usable_channel(channel_id)
    upload.seek(0)
    if not looks_like(kind, upload.read(8)):
        raise _refuse(_("The file's content does not match its .%(kind)s extension.") % {"kind": kind})
    upload.seek(0)
    path, size, sha256 = _store(upload, kind)
    try:
        try:
            encoding = detect_encoding(path) if kind == "csv" else ""
            layout = find_layout(path, kind, encoding)
            if layout.missing:
                names = ", ".join(str(COLUMN_LABELS[name]) for name in layout.missing)
                raise _refuse(_("No header row names these columns: %(names)s.") % {"names": names})
            total = count_lines(path, kind, encoding, layout.header_row)
        except UnreadableFile as exc:
            raise _refuse(_("The file could not be read as %(kind)s.") % {"kind": kind.upper()}) from exc
        if total == 0:
            raise _refuse(_("The file has no lines under the header row."))
        if total > MAX_LINES:
            raise _refuse(_("The file has more than %(max)d lines; split it.") % {"max": MAX_LINES})
        with transaction.atomic():
            statement = StatementImport.objects.create(
                channel=channel, file_name=name[:200], file_sha256=sha256, stored_path=path.name, file_kind=kind,
                encoding=encoding, file_size=size, headers=layout.headers,
                columns={"header_row": layout.header_row, "fields": layout.columns}, total_lines=total,
                created_by=actor,
            )  # fmt: skip
            audit_event(actor, "statement.uploaded", statement,
                        {"file": name, "size": size, "sha256": sha256, "lines": total, "channel": channel.code},
                        request)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return statement


def is_stalled(statement: StatementImport) -> bool:
    """Running, but its job run has failed or stopped sending heartbeats (its worker died)."""
    from loancrm.jobs.models import JobStatus
    from loancrm.jobs.services import STALE_AFTER

    run = statement.job_run
    if statement.status != ImportStatus.RUNNING or run is None:
        return False
    if run.status in (JobStatus.FAILED, JobStatus.SUCCEEDED):
        return True
    return run.heartbeat_at is not None and timezone.now() - run.heartbeat_at > STALE_AFTER


@transaction.atomic
def statement_start(
    *, actor: Any, statement_id: int, request: HttpRequest | None = None, enqueue: bool = True
) -> StatementImport:
    """Start the background posting of an uploaded statement, or resume a failed or stalled one."""
    from loancrm.jobs.models import JobRun
    from loancrm.jobs.services import JobRunning, job_start

    if not actor.has_perm(PERMISSION):
        raise PermissionDenied()
    statement = StatementImport.objects.select_for_update(of=("self",)).select_related("job_run").get(pk=statement_id)
    if statement.status == ImportStatus.DONE:
        raise Conflict(_("This statement has been posted."))
    if statement.status == ImportStatus.RUNNING and not is_stalled(statement):
        raise JobRunning()
    usable_channel(statement.channel_id)
    run = job_start(name=JOB_NAME, run_key=f"statement-{statement.pk}", request=request, enqueue=enqueue)
    JobRun.objects.filter(pk=run.pk).update(triggered_by=actor)
    resumed = statement.status != ImportStatus.PENDING
    statement.status, statement.job_run, statement.error = ImportStatus.RUNNING, run, ""
    statement.started_at = statement.started_at or timezone.now()
    statement.save(update_fields=["status", "job_run", "error", "started_at"])
    audit_event(actor, "statement.started", statement,
                {"job_run": run.pk, "resumed": resumed, "from_line": statement.lines_done}, request)  # fmt: skip
    return statement


def parsed_file_lines(statement: StatementImport, skip: int = 0) -> Iterator[ParsedLine]:
    """The stored file's lines after the first ``skip``, as read."""
    layout = statement.columns
    return parsed_lines(stored_file(statement), statement.file_kind, statement.encoding, int(layout["header_row"]),
                        {k: int(v) for k, v in layout["fields"].items() if k in FIELDS}, skip)  # fmt: skip


def _seen(statement: StatementImport) -> set[str]:
    """Bank transaction ids of the readable lines committed so far (a resumed run's in-file duplicate check)."""
    lines = StatementLine.objects.filter(statement_id=statement.pk).exclude(result=MatchResult.INVALID)
    return set(lines.values_list("bank_txn_id", flat=True))


def _commit_chunk(statement: StatementImport, start: int, lines: list[ParsedLine], seen: set[str]) -> ChunkResult:
    with transaction.atomic():
        locked = StatementImport.objects.select_for_update().only("lines_done", "status").get(pk=statement.pk)
        if locked.lines_done != start or locked.status != ImportStatus.RUNNING:
            raise Conflict(_("Another worker is posting this statement."))
        channel = PaymentChannel.objects.select_for_update().get(pk=statement.channel_id)
        label = f"lines {lines[0].line_no}-{lines[-1].line_no}"
        result = post_chunk(lines=lines, statement_id=statement.pk, channel=channel, seen=seen,
                            actor=statement.created_by, chunk_label=label)  # fmt: skip
        counts, amounts = result.counts, result.amounts
        StatementImport.objects.filter(pk=statement.pk).update(
            lines_done=F("lines_done") + len(lines),
            matched=F("matched") + counts[MatchResult.MATCHED],
            unmatched=F("unmatched") + counts[MatchResult.UNMATCHED],
            duplicates=F("duplicates") + counts[MatchResult.DUPLICATE],
            invalid=F("invalid") + counts[MatchResult.INVALID],
            amount_posted=F("amount_posted") + amounts[MatchResult.MATCHED],
        )
        audit_event(
            statement.created_by, "statement.chunk_posted", statement,
            {"lines": label, "counts": counts, "amounts": {k: money_str(v) for k, v in amounts.items()},
             "journal_entries": result.entries},
        )  # fmt: skip
    return result


def _end(statement_id: int, status: str, error: str = "") -> None:
    with transaction.atomic():
        statement = StatementImport.objects.select_for_update().get(pk=statement_id)
        statement.status, statement.error = status, error[:500]
        statement.finished_at = timezone.now() if status == ImportStatus.DONE else None
        statement.save(update_fields=["status", "error", "finished_at"])
        summary = {
            "lines": statement.total_lines, "matched": statement.matched, "unmatched": statement.unmatched,
            "duplicates": statement.duplicates, "invalid": statement.invalid,
            "amount_posted": money_str(statement.amount_posted or ZERO), "error": statement.error,
        }  # fmt: skip
        action = "statement.finished" if status == ImportStatus.DONE else "statement.failed"
        audit_event(statement.created_by, action, statement, summary)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while posting (each chunk allocates many short-lived objects
    and no cycles to speak of)."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_statement(statement_id: int, ctx: JobRunContext | None = None, *, chunk_size: int | None = None) -> None:
    """Post the lines not yet committed, chunk by chunk (``CHUNK_SIZE`` lines each); mark the statement done, or
    failed when anything raises."""
    chunk_size = chunk_size or CHUNK_SIZE
    statement = StatementImport.objects.select_related("channel", "created_by").get(pk=statement_id)
    done = statement.lines_done
    if ctx is not None:
        ctx.set_total(statement.total_lines)
        if done:
            ctx.log(f"resuming after {done} committed lines")
    try:
        seen = _seen(statement)
        with _fewer_collections():
            lines = parsed_file_lines(statement, done)
            while chunk := list(islice(lines, chunk_size)):
                result = _commit_chunk(statement, done, chunk, seen)
                done += len(chunk)
                if ctx is not None:
                    failed = len(chunk) - result.counts[MatchResult.MATCHED]
                    ctx.advance(processed=len(chunk), failed=failed, cursor={"lines_done": done})
    except BaseException as exc:  # an interrupted worker leaves the statement resumable too
        _end(statement_id, ImportStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _end(statement_id, ImportStatus.DONE)
