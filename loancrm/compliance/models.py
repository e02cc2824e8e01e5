"""Consent under PIPL arts. 14, 15, 23 and 29: versioned consent texts and each person's consents.

Invariants: a consent text is never edited — a change is a new version of its purpose, and only the newest
published version is offered; a consent names the exact text version agreed to, when, through which channel and
from where; withdrawal records its own time and channel and never deletes the consent; at most one consent per
(subject, purpose) is in force at a time.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    CONTACT = "contact", _("Contact about my enquiry")
    CREDIT_BUREAU = "credit_bureau", _("Credit bureau query")
    PARTNER_SHARING = "partner_sharing", _("Sharing with partners")
    MARKETING = "marketing", _("Marketing")
    SENSITIVE_DATA = "sensitive_data", _("Processing sensitive personal data")


class Channel(models.TextChoices):
    H5 = "h5", _("H5 page")
    APP = "app", _("Mobile app")
    BRANCH = "branch", _("In branch (paper)")
    PHONE = "phone", _("Phone (recorded)")
    PARTNER = "partner", _("Channel partner API")
    STAFF = "staff", _("Back office")


class ConsentText(models.Model):
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-version"]
        constraints = [models.UniqueConstraint(fields=["purpose", "version"], name="consent_text_version_unique")]
        permissions = [("manage_consent_text", _("Can publish consent texts"))]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class Consent(models.Model):
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    text = models.ForeignKey(ConsentText, verbose_name=_("text version"), on_delete=models.PROTECT)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    given_channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    given_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_channel = models.CharField(_("withdrawal channel"), max_length=10, choices=Channel.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "purpose"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_consent_in_force_per_purpose",
            )
        ]
        permissions = [("record_consent", _("Can record consents given or withdrawn"))]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.subject_type_id}:{self.subject_id})"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None
