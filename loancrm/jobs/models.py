"""Batch job runs and scheduler slots.

Invariants: one JobRun per (job, business date, run key) — a rerun resumes that row from its cursor instead of
starting over; status moves only along ``TRANSITIONS``; a ScheduledTick row is inserted before a scheduled slot is
started, so however many schedulers run, a slot starts once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import InvalidTransition


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


TRANSITIONS: dict[str, set[str]] = {
    JobStatus.PENDING: {JobStatus.RUNNING, JobStatus.FAILED},
    JobStatus.RUNNING: {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.PENDING},
    JobStatus.FAILED: {JobStatus.PENDING},
    JobStatus.SUCCEEDED: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition()


class JobRun(models.Model):
    name = models.CharField(_("job"), max_length=80)
    business_date = models.DateField(_("business date"))
    run_key = models.CharField(_("run key"), max_length=40, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    processed = models.PositiveBigIntegerField(_("processed"), default=0)
    failed_count = models.PositiveBigIntegerField(_("failed"), default=0)
    cursor = models.JSONField(_("cursor"), default=dict, blank=True)
    log = models.TextField(_("log"), blank=True, default="")
    error = models.TextField(_("error"), blank=True, default="")
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "business_date", "run_key"], name="jobrun_unique_per_date"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("run_job", _("Can start batch jobs"))]

    def __str__(self) -> str:
        return f"{self.name} {self.business_date}{' ' + self.run_key if self.run_key else ''}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.processed * 100 / self.total))

    @property
    def duration_seconds(self) -> int | None:
        if self.started_at is None:
            return None
        from django.utils import timezone

        return int(((self.finished_at or timezone.now()) - self.started_at).total_seconds())


class ScheduledTick(models.Model):
    """A claimed scheduler slot of a job; its unique key is what makes scheduling race-free."""

    name = models.CharField(max_length=80)
    slot = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="scheduledtick_unique_slot")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot.isoformat()}"
