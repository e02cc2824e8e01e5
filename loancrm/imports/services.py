"""Lead imports: upload (validate and store privately), map columns, start the background run.

Invariants: a refused upload (wrong type, too big, too many rows, empty, unreadable) writes nothing — no row, no
file; the stored file is named by a random id under MEDIA_ROOT/imports/, outside every served folder; a run is
started only with a usable mapping (mobile mapped, no field twice) and only from mapped or failed (a resume);
every step is audited in its own transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.imports.mapping import FIELDS, guess_mapping, mapping_errors
from loancrm.imports.models import ImportStatus, LeadImport, ensure_transition
from loancrm.imports.reader import KINDS, UnreadableFile, detect_encoding, iter_rows, looks_like
from loancrm.leads.models import Channel

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
JOB_NAME = "imports.run_lead_import"
PERMISSION = "imports.add_leadimport"


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _refuse(message: Any) -> ValidationFailed:
    return ValidationFailed(fields={"file": [message]})


def _store(upload: UploadedFile, kind: str) -> tuple[Path, int, str]:
    """Copy the upload to a private file while hashing it; refuses more than MAX_BYTES."""
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


def _survey(path: Path, kind: str) -> tuple[list[str], int, str]:
    """(headers, data row count, encoding) of a stored file; refuses unreadable, empty or too long files."""
    encoding = detect_encoding(path) if kind == "csv" else ""
    headers: list[str] = []
    rows = 0
    try:
        for _number, cells in iter_rows(path, kind, encoding):
            if not headers:
                headers = cells
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise _refuse(_("The file has more than %(max)d data rows; split it.") % {"max": MAX_ROWS})
    except UnreadableFile as exc:
        raise _refuse(_("The file could not be read as %(kind)s.") % {"kind": kind.upper()}) from exc
    if rows == 0:
        raise _refuse(_("The file has no data rows under the header row."))
    return headers, rows, encoding


def import_upload(
    *, actor: Any, upload: UploadedFile, channel_id: int | None, campaign: str = "", request: HttpRequest | None = None
) -> LeadImport:
    """Validate and store an uploaded lead file and guess its column mapping (see module invariants); a missing
    (None) or unknown ``channel_id`` is refused on the channel field."""
    if not actor.has_perm(PERMISSION) or not actor.has_perm("leads.intake_lead"):
        raise PermissionDenied()
    name = Path(upload.name or "").name
    kind = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind not in KINDS:
        raise _refuse(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
    if not upload.size:
        raise _refuse(_("The file is empty."))
    if upload.size > MAX_BYTES:
        raise _refuse(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    channel = None if channel_id is None else Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise ValidationFailed(fields={"channel": [_("Unknown channel.")]})
    upload.seek(0)
    if not looks_like(kind, upload.read(8)):
        raise _refuse(_("The file's content does not match its .%(kind)s extension.") % {"kind": kind})
    upload.seek(0)
    path, size, sha256 = _store(upload, kind)
    try:
        headers, rows, encoding = _survey(path, kind)
        with transaction.atomic():
            lead_import = LeadImport.objects.create(
                file_name=name[:200], file_path=path.name, file_kind=kind, encoding=encoding, file_size=size,
                sha256=sha256, headers=headers, row_count=rows, mapping=guess_mapping(headers), channel=channel,
                campaign=campaign.strip()[:80], created_by=actor, org_unit=actor.org_unit,
            )  # fmt: skip
            audit_event(actor, "lead_import.uploaded", lead_import,
                        {"file": name, "size": size, "sha256": sha256, "rows": rows, "channel": channel.code},
                        request)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return lead_import


def _check_mapping(lead_import: LeadImport, mapping: list[str]) -> list[str]:
    mapping = [name if name in FIELDS else "" for name in mapping][: len(lead_import.headers)]
    mapping += [""] * (len(lead_import.headers) - len(mapping))
    problems = mapping_errors(mapping)
    if problems:
        messages = {"missing:mobile": _("Map a column to the mobile number.")}
        raise ValidationFailed(
            fields={"mapping": [messages.get(p, _("Each field can be fed by one column only.")) for p in problems]}
        )
    return mapping


@transaction.atomic
def import_map(
    *, actor: Any, lead_import_id: int, mapping: list[str], request: HttpRequest | None = None
) -> LeadImport:
    """Save a corrected column mapping (uploaded or mapped imports only)."""
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied()
    lead_import = LeadImport.objects.select_for_update().get(pk=lead_import_id)
    ensure_transition(lead_import.status, ImportStatus.MAPPED)
    lead_import.mapping = _check_mapping(lead_import, mapping)
    lead_import.status = ImportStatus.MAPPED
    lead_import.save(update_fields=["mapping", "status"])
    audit_event(actor, "lead_import.mapped", lead_import, {"mapping": lead_import.mapping}, request)
    return lead_import


@transaction.atomic
def import_start(*, actor: Any, lead_import_id: int, request: HttpRequest | None = None) -> LeadImport:
    """Start the background run of a mapped import, or resume a failed or stalled one from its committed cursor."""
    from loancrm.jobs.models import JobRun
    from loancrm.jobs.services import JobRunning, job_start

    if not actor.has_perm(PERMISSION) or not actor.has_perm("leads.intake_lead"):
        raise PermissionDenied()
    lead_import = LeadImport.objects.select_for_update().get(pk=lead_import_id)
    ensure_transition(lead_import.status, ImportStatus.RUNNING)
    if lead_import.status == ImportStatus.RUNNING and not lead_import.is_stalled:
        raise JobRunning()
    _check_mapping(lead_import, lead_import.mapping)
    run = job_start(name=JOB_NAME, run_key=f"import-{lead_import.pk}", request=request)
    JobRun.objects.filter(pk=run.pk).update(triggered_by=actor)
    resumed = lead_import.status != ImportStatus.MAPPED
    lead_import.status, lead_import.job_run, lead_import.error = ImportStatus.RUNNING, run, ""
    lead_import.started_at = lead_import.started_at or timezone.now()
    lead_import.save(update_fields=["status", "job_run", "error", "started_at"])
    audit_event(actor, "lead_import.started", lead_import,
                {"job_run": run.pk, "resumed": resumed, "from_row": lead_import.rows_done}, request)  # fmt: skip
    return lead_import
