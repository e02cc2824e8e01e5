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
