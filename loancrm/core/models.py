"""Platform tables every module reads: the audit trail, the business date, the working-day calendar, notifications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only audit row, linked into the hash chain (see ``loancrm.core.audit_chain``).

    Database triggers refuse UPDATE and DELETE; the rows are striped over a few independent chains so that
    concurrent writers do not queue on one head; within a ``chain`` ``seq`` has no gaps; ``row_hash`` covers the
    content and the previous row's hash; ``mac`` is an HMAC of ``row_hash`` under the audit key, which the database
    never holds. ``id`` orders the events across chains.
    """

    chain = models.PositiveSmallIntegerField(_("chain"), default=1)
    seq = models.PositiveBigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="core_audit_chain_seq")]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["actor", "created_at"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_repr} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")


class AuditChainHead(models.Model):
    """The newest link of one chain (a writer locks the head it links to, so each chain stays linear)."""

    chain = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.PositiveBigIntegerField(default=0)
    row_hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"head {self.chain}#{self.seq}"


class AuditCheckpoint(models.Model):
    """A signed snapshot of a chain head; a later verify proves no row of the chain up to ``seq`` was lost or
    changed."""

    chain = models.PositiveSmallIntegerField(default=1)
    seq = models.PositiveBigIntegerField()
    row_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    mac = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"checkpoint {self.chain}#{self.seq}"


class BusinessDate(models.Model):
    """The system business date (营业日): a single row, advanced only by end-of-day or an audited admin action."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    current = models.DateField(_("business date"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("business date")
        verbose_name_plural = _("business date")
        default_permissions = ("view", "change")
        constraints = [models.CheckConstraint(condition=models.Q(singleton=1), name="business_date_single_row")]

    def __str__(self) -> str:
        return self.current.isoformat()


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday or a weekend working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Adjusted working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        permissions = [("manage_calendar", _("Can manage the working-day calendar"))]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


class Notification(models.Model):
    """An in-app message to one user (overdue tasks, approvals waiting, …); read once ``read_at`` is set."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"
