"""Stored external data queries: every call made, refused or answered from the provider, with its response.

Invariants: a row is written for each refused query and each completed provider call (ok or failed) and never
changed afterwards; ``response`` holds the provider's result as JSON (Decimals and dates as strings) and no
plaintext identifiers; a cached answer is the newest ``ok`` row of the customer and kind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.externaldata.providers import Kind as _Kind


class Kind(models.TextChoices):
    BUREAU = _Kind.BUREAU.value, _("Credit bureau summary")
    MULTI_LENDING = _Kind.MULTI_LENDING.value, _("Multi-lending")
    COURT = _Kind.COURT.value, _("Court and enforcement records")
    BLACKLIST = _Kind.BLACKLIST.value, _("Blacklist")
    BUSINESS_REGISTRY = _Kind.BUSINESS_REGISTRY.value, _("Business registry")


class QueryStatus(models.TextChoices):
    OK = "ok", _("OK")
    TIMEOUT = "timeout", _("Timed out")
    FAILED = "failed", _("Failed")
    REFUSED_NO_CONSENT = "refused_no_consent", _("Refused: no consent")


class ExternalQuery(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="external_queries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    provider = models.CharField(_("provider"), max_length=60, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=QueryStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response = models.JSONField(_("response"), default=dict, blank=True)
    consent = models.ForeignKey(
        "compliance.Consent", verbose_name=_("consent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("external data query")
        verbose_name_plural = _("external data queries")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["customer", "kind", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id} {self.status}"
