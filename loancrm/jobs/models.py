"""Batch job runs and scheduler slots.

Invariants: one JobRun per (job, business date, run key) — ``run_key`` is "" for ordinary daily jobs, so they are
unique on (job, business date); intraday jobs use the slot as key. A rerun resumes that row from its cursor instead
of starting over; status moves only along ``TRANSITIONS`` (succeeded → pending only for jobs registered as
rerunnable, checked by ``job_start``); the log keeps the newest LOG_MAX_LINES lines and at most LOG_MAX_CHARS
characters. A ScheduledTick row is inserted before a scheduled slot is started, so however many schedulers run, a
slot starts once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
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
    JobStatus.SUCCEEDED: {JobStatus.PENDING},
}
ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)
LOG_MAX_LINES = 200
LOG_MAX_CHARS = 64 * 1024


def ensure_transition(current: str, target: str) -> None:
    """Refuse a status change that ``TRANSITIONS`` does not allow."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition()


def append_log(log: str, line: str, at: dt.datetime | None = None) -> str:
    """``log`` plus one timestamped line, trimmed to the newest LOG_MAX_LINES lines / LOG_MAX_CHARS characters."""
    stamp = timezone.localtime(at or timezone.now())
    lines = [*log.splitlines(), f"{stamp:%Y-%m-%d %H:%M:%S} {line}"][-LOG_MAX_LINES:]
    text = "\n".join(lines) + "\n"
    if len(text) > LOG_MAX_CHARS:
        text = text[-LOG_MAX_CHARS:]
        text = text[text.find("\n") + 1 :] if "\n" in text[:-1] else text
    return text


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
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def progress(self) -> float:
        """Share done, 0.0 to 1.0 (1.0 once succeeded, whatever the counts)."""
        if self.status == JobStatus.SUCCEEDED:
            return 1.0
        if not self.total:
            return 0.0
        return min(1.0, self.processed / self.total)

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
        return max(0, int(((self.finished_at or timezone.now()) - self.started_at).total_seconds()))

    @property
    def duration(self) -> str:
        """Elapsed time as H:MM:SS ("" before the start)."""
        seconds = self.duration_seconds
        if seconds is None:
            return ""
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


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
