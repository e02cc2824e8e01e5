"""The background run of a lead import: chunks of rows through ``lead_intake_bulk``, resumable.

Invariants: each chunk's leads, hits, rejected rows, counts and the cursor (``rows_done``) commit in one
transaction, so a run that dies resumes at the first uncommitted chunk and never imports a row twice; the chunk
transaction locks the import row and checks the cursor, so two workers cannot process the same chunk; the import
ends done or failed (with the error), audited either way. On PostgreSQL chunks commit with
``synchronous_commit = off``: a server crash can lose the last chunks' commits, but the cursor is lost with them, so
the resumed run redoes exactly those chunks (no lead lost or doubled; the audit chain stays consistent).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict
from loancrm.imports.mapping import apply_mapping
from loancrm.imports.models import ImportStatus, LeadImport, RejectedRow, ensure_transition
from loancrm.imports.reader import iter_rows
from loancrm.imports.services import JOB_NAME, storage_dir
from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.leads.bulk import CREATED, DUPLICATE, lead_intake_bulk

CHUNK_SIZE = 1_000


def file_path(lead_import: LeadImport) -> Path:
    return storage_dir() / Path(lead_import.file_path).name


def data_rows(lead_import: LeadImport, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the data rows after the first ``skip`` ones (the header row is never a data row)."""
    rows = iter_rows(file_path(lead_import), lead_import.file_kind, lead_import.encoding)
    next(rows, None)
    return islice(rows, skip, None)


def raw_lead(lead_import: LeadImport, cells: list[str]) -> dict[str, Any]:
    """The raw lead of one row: the mapped cells; the file's campaign unless the row names its own."""
    raw: dict[str, Any] = apply_mapping(lead_import.mapping, cells)
    raw["campaign"] = raw.get("campaign") or lead_import.campaign
    return raw


def _commit_chunk(lead_import: LeadImport, start: int, chunk: list[tuple[int, list[str]]]) -> dict[str, int]:
    with transaction.atomic():
        if connection.vendor == "postgresql":  # see module invariants: a chunk lost in a crash is simply redone
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        locked = LeadImport.objects.select_for_update().only("rows_done", "status").get(pk=lead_import.pk)
        if locked.rows_done != start or locked.status != ImportStatus.RUNNING:
            raise Conflict(_("Another worker is processing this import."))
        result = lead_intake_bulk(
            channel=lead_import.channel,
            rows=[raw_lead(lead_import, cells) for _number, cells in chunk],
            actor=lead_import.created_by,
            target=lead_import,
        )
        RejectedRow.objects.bulk_create(
            [
                RejectedRow(
                    lead_import=lead_import,
                    row_number=number,
                    kind=RejectedRow.Kind.DUPLICATE if outcome.outcome == DUPLICATE else RejectedRow.Kind.INVALID,
                )
                for (number, _cells), outcome in zip(chunk, result.rows, strict=True)
                if outcome.outcome != CREATED
            ]
        )
        counts = result.summary()
        LeadImport.objects.filter(pk=lead_import.pk).update(
            rows_done=F("rows_done") + len(chunk),
            created_count=F("created_count") + counts["created"],
            duplicate_count=F("duplicate_count") + counts["duplicates"],
            invalid_count=F("invalid_count") + counts["invalid"],
            prefilter_invalid_count=F("prefilter_invalid_count") + counts["prefilter_invalid"],
        )
    return counts


def _end(lead_import_id: int, status: str, error: str = "") -> None:
    with transaction.atomic():
        lead_import = LeadImport.objects.select_for_update().get(pk=lead_import_id)
        ensure_transition(lead_import.status, status)
        lead_import.status, lead_import.error = status, error[:500]
        lead_import.finished_at = timezone.now() if status == ImportStatus.DONE else None
        lead_import.save(update_fields=["status", "error", "finished_at"])
        summary = {
            "rows": lead_import.row_count, "created": lead_import.created_count,
            "duplicates": lead_import.duplicate_count, "invalid": lead_import.invalid_count,
            "prefilter_invalid": lead_import.prefilter_invalid_count, "error": lead_import.error,
        }  # fmt: skip
        action = "lead_import.finished" if status == ImportStatus.DONE else "lead_import.failed"
        audit_event(lead_import.created_by, action, lead_import, summary)


def run_import(lead_import_id: int, ctx: JobRunContext | None = None) -> None:
    """Process the rows not yet committed, chunk by chunk; mark the import done, or failed when anything raises."""
    lead_import = LeadImport.objects.select_related("channel", "created_by").get(pk=lead_import_id)
    if ctx is not None:
        ctx.set_total(lead_import.row_count)
        if lead_import.rows_done:
            ctx.log(f"resuming after {lead_import.rows_done} committed rows")
    done = lead_import.rows_done
    rows = data_rows(lead_import, skip=done)
    try:
        while chunk := list(islice(rows, CHUNK_SIZE)):
            counts = _commit_chunk(lead_import, done, chunk)
            done += len(chunk)
            if ctx is not None:
                ctx.advance(
                    processed=len(chunk), failed=counts["invalid"] + counts["duplicates"], cursor={"rows_done": done}
                )
    except BaseException as exc:  # an interrupted worker (SIGTERM, Ctrl-C) leaves the import resumable too
        _end(lead_import_id, ImportStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _end(lead_import_id, ImportStatus.DONE)


@batch_job(JOB_NAME, _("Lead file import"), per_business_date=False)
def run_import_job(ctx: JobRunContext) -> None:
    run_import(int(ctx.run.run_key.removeprefix("import-")), ctx)
