"""Every write to documents: upload (with supersede), audited open, reject; the checklist and the submission check.

Invariants: each write runs in one transaction with the application row locked and writes its audit event there;
a refusal (``DomainError``) stores nothing (files written before a refusal are removed). The stored type, size,
pages and digest are those of the bytes (``inspect.inspect_file``), never the client's claim. Users need the
permission and the application in their data scope; a customer (``CustomerPrincipal``) acts only on their own
applications. Uploads are open while the application is a draft, or for a type an open correction request lists.
Every open of a file or thumbnail writes ``document.viewed`` (the type, never the content).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language, gettext

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.principal import audit_actor, is_customer
from loancrm.applications.selectors import access_application
from loancrm.applications.services import locked_application
from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.documents import errors as msg
from loancrm.documents import limits
from loancrm.documents.choices import ID_SIDES, CorrectionStatus, DocStatus, DocType
from loancrm.documents.inspect import FileProblem, inspect_file, make_thumbnail
from loancrm.documents.models import CorrectionRequest, Document

Errors = dict[str, list[Any]]
MAX_REASON = 200


def type_label(doc_type: str) -> str:
    return str(DocType(doc_type).label) if doc_type in DocType.values else doc_type


def _file_problems(data: bytes, doc_type: str) -> tuple[Any, Errors]:
    """The inspected file, or the problems that refuse it (under "file")."""
    if not data:
        return None, {"file": [msg.EMPTY]}
    if len(data) > limits.MAX_BYTES:
        return None, {"file": [msg.TOO_BIG]}
    try:
        found = inspect_file(data)
    except FileProblem as problem:
        return None, {"file": [msg.FILE_MESSAGES[problem.code]]}
    problems: list[Any] = []
    if found.content_type not in limits.kinds(doc_type):
        problems.append(msg.PHOTO_ONLY % {"type": type_label(doc_type)})
    if found.width is not None and min(found.width, found.height or 0) < limits.MIN_IMAGE_SIDE:
        problems.append(msg.TOO_SMALL % {"width": found.width, "height": found.height, "min": limits.MIN_IMAGE_SIDE})
    if found.pages > limits.MAX_PDF_PAGES:
        problems.append(msg.TOO_MANY_PAGES % {"pages": found.pages, "max": limits.MAX_PDF_PAGES})
    return found, ({"file": problems} if problems else {})


def _read_upload(upload: Any) -> bytes:
    if (getattr(upload, "size", 0) or 0) > limits.MAX_BYTES:
        return b"\0" * (limits.MAX_BYTES + 1)  # refused by size before the content is read
    upload.seek(0)
    data = upload.read(limits.MAX_BYTES + 1)
    return bytes(data)


def open_corrections(application: Application, doc_type: str | None = None) -> list[CorrectionRequest]:
    rows = list(CorrectionRequest.objects.filter(application=application, status=CorrectionStatus.OPEN))
    return [row for row in rows if doc_type is None or doc_type in row.doc_types]


def current_documents(application: Application, doc_type: str | None = None) -> QuerySet[Document]:
    rows = Document.objects.filter(application=application, status=DocStatus.CURRENT)
    return rows.filter(doc_type=doc_type) if doc_type else rows


@transaction.atomic
def document_upload(
    *, actor: Any, application_id: int, doc_type: str, file: Any, request: HttpRequest | None = None
) -> Document:
    """Store one file for the application's ``doc_type`` after every check; supersede the previous single file."""
    application = locked_application(actor, application_id, perm="documents.add_document")
    if doc_type not in DocType.values:
        raise ValidationFailed(fields={"doc_type": [gettext("Choose one of the allowed values.")]})
    corrections = open_corrections(application, doc_type)
    if application.status != Status.DRAFT and not corrections:
        raise msg.DocumentsClosed()
    data = _read_upload(file)
    name = str(getattr(file, "name", "") or "")
    return _store(application, doc_type, data, name, actor=actor, corrections=corrections, request=request)


@transaction.atomic
def document_import(*, application_id: int, doc_type: str, data: bytes, name: str = "", actor: Any = None) -> Document:
    """Store a file for an application whatever its status, with every file check (demo data, migrations of files
    from another system); no user permission applies, so only trusted code calls it. Audited like an upload."""
    application = Application.objects.select_for_update(of=("self",)).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    if doc_type not in DocType.values:
        raise ValidationFailed(fields={"doc_type": [gettext("Choose one of the allowed values.")]})
    corrections = open_corrections(application, doc_type)
    return _store(application, doc_type, data, name, actor=actor, corrections=corrections, request=None)


def _store(
    application: Application,
    doc_type: str,
    data: bytes,
    name: str,
    *,
    actor: Any,
    corrections: list[CorrectionRequest],
    request: HttpRequest | None,
) -> Document:
    found, errors = _file_problems(data, doc_type)
    digest = hashlib.sha256(data).hexdigest() if not errors else ""
    existing = list(current_documents(application, doc_type).select_for_update())
    if not errors and any(doc.sha256 == digest for doc in existing):
        errors = {"file": [msg.DUPLICATE]}
    if not errors and not limits.is_single(doc_type) and len(existing) >= limits.max_files(doc_type):
        errors = {"file": [msg.FULL % {"type": type_label(doc_type), "max": limits.max_files(doc_type)}]}
    if errors:
        raise ValidationFailed(fields=errors)
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    document = Document(
        application=application,
        customer_id=application.customer_id,
        doc_type=doc_type,
        original_name=name[-255:],
        content_type=found.content_type,
        size=len(data),
        width=found.width,
        height=found.height,
        pages=found.pages,
        sha256=digest,
        uploaded_by=user,
        uploaded_by_customer=is_customer(actor),
        correction=corrections[0] if corrections else None,
        created_at=now,
    )
    thumb = make_thumbnail(data, found.content_type)
    document.file.save("upload", ContentFile(data), save=False)
    try:
        if thumb is not None:
            document.thumbnail.save("thumb", ContentFile(thumb), save=False)
        document.save()
        superseded = _supersede(existing, doc_type, now)
        audit_event(
            audit_actor(actor),
            "document.uploaded",
            document,
            {"application": application.number, "doc_type": doc_type, "content_type": found.content_type,
             "size": len(data), "pages": found.pages, "sha256": digest, "superseded": superseded},
            request,
        )  # fmt: skip
        from loancrm.documents.corrections import fulfil_if_complete
        from loancrm.documents.readings import queue_id_card_reading

        for correction in corrections:
            fulfil_if_complete(correction, actor=actor, request=request)
        if doc_type in ID_SIDES:
            queue_id_card_reading(application)
    except BaseException:
        _remove_files(document)
        raise
    return document


def _remove_files(document: Document) -> None:
    for stored in (document.file, document.thumbnail):
        if stored and stored.name:
            stored.storage.delete(stored.name)


def _supersede(existing: Iterable[Document], doc_type: str, now: Any) -> list[int]:
    if not limits.is_single(doc_type):
        return []
    ids = [doc.pk for doc in existing]
    Document.objects.filter(pk__in=ids).update(status=DocStatus.SUPERSEDED, status_changed_at=now)
    return ids


def _visible_document(actor: Any, document_id: int, perm: str = "documents.view_document") -> Document:
    """The document, if ``actor`` may see it: a customer their own; a user with ``perm`` and the application in
    scope. Missing and not-yours are the same ``NotFound``."""
    document = Document.objects.select_related("application", "customer").filter(pk=document_id).first()
    if is_customer(actor):
        if document is None or document.customer_id != actor.customer_id:
            raise NotFound()
        return document
    if not actor.has_perm(perm):
        raise PermissionDenied()
    if document is None:
        raise NotFound()
    access_application(actor, document.application_id)
    return document


@dataclass(frozen=True)
class OpenedFile:
    handle: IO[bytes]
    filename: str
    content_type: str
    size: int


def document_open(
    *, actor: Any, document_id: int, request: HttpRequest | None = None, thumbnail: bool = False
) -> OpenedFile:
    """Open a document's file (or its thumbnail) for streaming; every open is audited."""
    document = _visible_document(actor, document_id)
    stored = document.thumbnail if thumbnail else document.file
    if not stored:
        raise NotFound()
    with transaction.atomic():
        audit_event(audit_actor(actor), "document.viewed", document,
                    {"doc_type": document.doc_type, "thumbnail": thumbnail}, request)  # fmt: skip
    suffix = ".jpg" if thumbnail else limits.EXTENSIONS.get(document.content_type, "")
    content_type = "image/jpeg" if thumbnail else document.content_type
    number = document.application.number or document.application_id
    filename = f"{number}-{document.doc_type}-{document.pk}{'-thumb' if thumbnail else ''}{suffix}"
    return OpenedFile(stored.storage.open(stored.name, "rb"), filename, content_type, stored.size)


@transaction.atomic
def document_reject(*, actor: Any, document_id: int, reason: str, request: HttpRequest | None = None) -> Document:
    """A reviewer rejects a current document with a reason (kept, no longer counted in the checklist)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(fields={"reason": [gettext("Give the reason for rejecting.")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(fields={"reason": [gettext("At most %(max)s characters.") % {"max": MAX_REASON}]})
    found = _visible_document(actor, document_id, perm="documents.reject_document")
    if is_customer(actor):
        raise PermissionDenied()
    locked_application(actor, found.application_id, perm="documents.reject_document")
    document = Document.objects.select_for_update().get(pk=found.pk)
    if document.status != DocStatus.CURRENT:
        raise msg.DocumentNotCurrent()
    document.status, document.status_changed_at = DocStatus.REJECTED, timezone.now()
    document.rejected_reason, document.rejected_by = reason, actor
    document.save(update_fields=["status", "status_changed_at", "rejected_reason", "rejected_by"])
    audit_event(actor, "document.rejected", document, {"doc_type": document.doc_type, "reason": reason}, request)
    return document


@dataclass
class ChecklistItem:
    doc_type: str
    label: str
    required: bool
    max_files: int
    documents: list[Document] = field(default_factory=list)
    rejected: list[Document] = field(default_factory=list)
    correction_open: bool = False

    @property
    def count(self) -> int:
        return len(self.documents)

    @property
    def present(self) -> bool:
        return bool(self.documents)

    @property
    def status(self) -> str:
        """ "correction" (re-upload asked), "present", "rejected" (only rejected files), or "missing"."""
        if self.correction_open:
            return "correction"
        if self.documents:
            return "present"
        return "rejected" if self.rejected else "missing"

    @property
    def can_add(self) -> bool:
        return self.max_files == 1 or self.count < self.max_files

    @property
    def accepts(self) -> str:
        return ",".join(limits.kinds(self.doc_type))


def checklist(application: Application) -> list[ChecklistItem]:
    """The product's checklist (required first, in its order) and any other type with files, with what is there."""
    spec = [(item["type"], bool(item["required"])) for item in application.product_version.documents or []]
    docs = list(Document.objects.filter(application=application).exclude(status=DocStatus.SUPERSEDED))
    listed = {doc_type for doc_type, _r in spec}
    corrections = {t for row in open_corrections(application) for t in row.doc_types}
    extra = sorted(({doc.doc_type for doc in docs} | corrections) - listed, key=DocType.values.index)
    items = []
    for doc_type, required in sorted(spec, key=lambda pair: not pair[1]) + [(t, False) for t in extra]:
        items.append(
            ChecklistItem(
                doc_type=doc_type,
                label=type_label(doc_type),
                required=required,
                max_files=limits.max_files(doc_type),
                documents=[d for d in docs if d.doc_type == doc_type and d.status == DocStatus.CURRENT],
                rejected=[d for d in docs if d.doc_type == doc_type and d.status == DocStatus.REJECTED],
                correction_open=doc_type in corrections,
            )
        )
    return items


def missing_required(application: Application) -> list[str]:
    return [item.doc_type for item in checklist(application) if item.required and not item.present]


def documents_submission_check(application: Application) -> Errors:
    """Registered with ``applications.services.add_submission_check``: every required document is present."""
    missing = missing_required(application)
    if not missing:
        return {}
    joiner = "、" if (get_language() or "").startswith("zh") else ", "
    return {"documents": [msg.MISSING_REQUIRED % {"types": joiner.join(type_label(t) for t in missing)}]}
