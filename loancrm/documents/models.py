"""Uploaded application documents, correction requests (补正通知) and ID-card readings (OCR).

Invariants: a document's file and thumbnail live in private storage under random names (``.url`` raises); they
are served only by ``services.document_open`` (permission, scope, audit). ``content_type``, ``size``, ``pages`` and
``sha256`` describe the stored bytes as inspected, not the client's claims. A document is never deleted: a newer
upload of a single-file type marks the older ``superseded``; a reviewer marks one ``rejected`` with a reason.
A correction request lists the types to upload again with a reason each; it is fulfilled once every listed type has
an upload made after it. An ID-card reading's result holds the card's personal data and is stored encrypted.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loancrm.core.fields import EncryptedTextField
from loancrm.customers.storage import PrivateStorage
from loancrm.documents.choices import CorrectionStatus, DocStatus, DocType, ReadingStatus
from loancrm.documents.limits import EXTENSIONS


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def document_path(instance: Any, filename: str) -> str:
    """A random name (the client's name may carry personal data) with the extension of the sniffed type."""
    return f"documents/{uuid.uuid4().hex}{EXTENSIONS.get(instance.content_type, '.bin')}"


def thumbnail_path(instance: Any, filename: str) -> str:
    return f"documents/thumbs/{uuid.uuid4().hex}.jpg"


class CorrectionRequest(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="correction_requests",
        verbose_name=pgettext_lazy("document", "application"),
    )  # fmt: skip
    # [{"doc_type": "income_proof", "reason": "..."}], one entry per type
    items = models.JSONField(_("items"), default=list)
    message = models.TextField(_("message to the customer"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return f"CR{self.pk}"

    @property
    def doc_types(self) -> list[str]:
        return [item["doc_type"] for item in self.items]

    @property
    def is_open(self) -> bool:
        return self.status == CorrectionStatus.OPEN


class Document(models.Model):
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=pgettext_lazy("document", "application"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="documents", verbose_name=_("customer")
    )
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocType.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_path, max_length=200)
    thumbnail = models.FileField(
        _("thumbnail"), storage=private_storage, upload_to=thumbnail_path, max_length=200, blank=True
    )
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=DocStatus.choices, default=DocStatus.CURRENT)
    status_changed_at = models.DateTimeField(pgettext_lazy("document", "status changed at"), null=True, blank=True)
    rejected_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )  # fmt: skip
    uploaded_by_customer = models.BooleanField(_("uploaded by the customer"), default=False)
    correction = models.ForeignKey(
        CorrectionRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="uploads"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["doc_type", "-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["application", "doc_type", "status"])]
        permissions = [("reject_document", _("Can reject documents"))]

    def __str__(self) -> str:
        return f"D{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_current(self) -> bool:
        return self.status == DocStatus.CURRENT


class IdCardReading(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="id_card_readings",
        verbose_name=pgettext_lazy("document", "application"),
    )  # fmt: skip
    front = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+", verbose_name=_("front image"))
    back = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("back image")
    )
    status = models.CharField(_("status"), max_length=10, choices=ReadingStatus.choices, default=ReadingStatus.QUEUED)
    # IdCardResult.as_dict() as JSON, encrypted: it holds the name, ID number and address read from the card.
    result = EncryptedTextField(_("result"), blank=True, default="")
    needs_review = models.BooleanField(_("needs review"), default=False)
    # [{"code", "severity", "field"}] without parameters (those may quote the card; they are in ``result``)
    findings = models.JSONField(_("findings"), default=list)
    error = models.CharField(_("error"), max_length=60, blank=True)
    elapsed_ms = models.PositiveIntegerField(_("time taken (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ID card reading")
        verbose_name_plural = _("ID card readings")

    def __str__(self) -> str:
        return f"OCR{self.pk}"

    @property
    def data(self) -> dict[str, Any]:
        """The stored result (decrypted), or an empty dict before it is done."""
        if not self.result:
            return {}
        loaded = json.loads(self.result)
        return loaded if isinstance(loaded, dict) else {}
