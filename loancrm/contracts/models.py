"""Contracts (合同): versioned templates per product, the contract of an approved application with its terms frozen
at generation, the parties who sign it, and its PDF files.

Invariants: a product has at most one published template version; a contract's terms (amount, rates, term, method,
schedule rows, fees) never change after generation except by regenerating while no party has signed; a party's
mobile is encrypted (masked everywhere); a ``ContractFile`` is append-only: saving an existing row or deleting one
raises, and the stored SHA-256 is the digest of the file's bytes at creation.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loancrm.contracts.choices import ContractStatus, FileKind, PartyRole, TemplateStatus
from loancrm.core.fields import EncryptedTextField
from loancrm.customers.storage import private_storage


class ContractTemplate(models.Model):
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="contract_templates", verbose_name=_("product")
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("HTML body (Django template)"))
    note = models.CharField(_("change note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["product__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="contract_template_version_unique"),
            models.UniqueConstraint(
                fields=["product"], condition=Q(status="published"), name="contract_template_one_published"
            ),
        ]
        permissions = [("manage_contract_templates", _("Can edit and publish contract templates"))]

    def __str__(self) -> str:
        return f"{self.product_id} v{self.version}"


def _token() -> str:
    return secrets.token_urlsafe(24)


class Contract(models.Model):
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="contract", verbose_name=_("application")
    )
    contract_no = models.CharField(_("contract number"), max_length=20, unique=True)
    template = models.ForeignKey(
        ContractTemplate, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("template version")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT, db_index=True
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    annual_rate = models.DecimalField(_("annual rate"), max_digits=9, decimal_places=6)
    apr = models.DecimalField(_("APR"), max_digits=9, decimal_places=6)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("repayment method"), max_length=20)
    start_date = models.DateField(_("value date"))
    schedule = models.JSONField(_("repayment schedule"), default=list)
    fees = models.JSONField(_("fees"), default=list)
    terms = models.JSONField(_("other terms"), default=dict)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent for signature at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancellation"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("generate_contract", _("Can generate, regenerate and cancel contracts")),
            ("add_guarantor", _("Can add guarantors to contracts")),
        ]

    def __str__(self) -> str:
        return self.contract_no

    @property
    def is_unsigned(self) -> bool:
        return self.status in (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES)

    def latest_file(self, kind: str) -> ContractFile | None:
        return self.files.filter(kind=kind).order_by("-created_at", "-id").first()


class ContractParty(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=120)
    id_number_masked = models.CharField(_("ID number (masked)"), max_length=40, blank=True)
    mobile = EncryptedTextField(_("mobile"), kind="mobile")
    token = models.CharField(_("signing link token"), max_length=40, unique=True, default=_token)
    signed_at = models.DateTimeField(pgettext_lazy("contract party", "signed at"), null=True, blank=True)
    sign_ip = models.GenericIPAddressField(_("signed from address"), null=True, blank=True)
    sms_ref = models.CharField(_("SMS verification reference"), max_length=40, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("added by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("contract party")
        verbose_name_plural = _("contract parties")
        ordering = ["contract", "position", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.role} {self.position}"

    @property
    def has_signed(self) -> bool:
        return self.signed_at is not None


def contract_file_path(instance: Any, filename: str) -> str:
    return f"contracts/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.pdf"


class ImmutableFile(Exception):
    """A contract file is append-only."""


class ContractFileQuerySet(models.QuerySet["ContractFile"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableFile("contract files are append-only")

    def delete(self) -> Any:
        raise ImmutableFile("contract files are append-only")


class ContractFile(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to=contract_file_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    template_version = models.PositiveIntegerField(_("template version"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ContractFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract file")
        verbose_name_plural = _("contract files")
        ordering = ["contract", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.sha256[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise ImmutableFile("contract files are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableFile("contract files are append-only")
