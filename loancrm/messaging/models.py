"""Outbound SMS messages (every one recorded, the simulator's only output) and one-time SMS codes.

Invariants: mobiles are stored encrypted with a blind index (never in plaintext); a code is stored only as a keyed
hash, is valid for a fixed time, may be tried a limited number of times and is used at most once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.fields import BlindIndexField, EncryptedTextField
from loancrm.messaging.choices import CodePurpose, SmsStatus


class SmsMessage(models.Model):
    mobile = EncryptedTextField(_("mobile"), kind="mobile")
    mobile_bidx = BlindIndexField(source="mobile", kind="mobile")
    template_code = models.CharField(_("template"), max_length=40)
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=12, choices=SmsStatus.choices)
    provider = models.CharField(_("provider"), max_length=40)
    provider_id = models.CharField(_("provider message id"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        indexes = [models.Index(fields=["mobile_bidx", "created_at"])]

    def __str__(self) -> str:
        return f"{self.template_code} {self.created_at:%Y-%m-%d %H:%M}"


class SmsCode(models.Model):
    mobile_bidx = models.CharField(max_length=64)
    purpose = models.CharField(max_length=20, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(SmsMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [
            models.Index(fields=["mobile_bidx", "purpose", "created_at"]),
            models.Index(fields=["ip", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class EmailStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailMessageRecord(models.Model):
    """One e-mail handed to Django's e-mail backend (``settings.EMAIL_BACKEND``): the demo writes files under
    ``var/mail/``, tests keep them in ``django.core.mail.outbox``. The address is encrypted like an SMS mobile."""

    address = EncryptedTextField(_("e-mail address"), kind="email")
    address_bidx = BlindIndexField(source="address", kind="text")
    template_code = models.CharField(_("template"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=12, choices=EmailStatus.choices)
    provider = models.CharField(_("provider"), max_length=80)
    provider_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")
        indexes = [models.Index(fields=["address_bidx", "created_at"])]

    def __str__(self) -> str:
        return f"{self.template_code} {self.created_at:%Y-%m-%d %H:%M}"


class NoticeKind(models.TextChoices):
    CREDIT_APPROVED = "credit_approved", _("Approval notice")
    CREDIT_REJECTED = "credit_rejected", _("Refusal notice")
    DISBURSED = "disbursed", _("Disbursement notice")


class ApplicationNotice(models.Model):
    """A notice to the customer about their application, with the SMS and e-mail that carried it (either may be
    missing: no primary mobile, no e-mail address)."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("notice"), max_length=20, choices=NoticeKind.choices)
    sms = models.ForeignKey(SmsMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    email = models.ForeignKey(EmailMessageRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"
