"""Lead files uploaded for import, and the rows they rejected.

Invariants: the file lives privately under MEDIA_ROOT/imports/ (never at a public URL) with its size and sha256;
status moves only along ``TRANSITIONS``; ``rows_done`` (the resume cursor) and the counts move in the same
transaction as the leads of each chunk, so a crashed run resumes without importing a row twice; a rejected row is
stored by number and kind only (no personal data copied out of the file).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import InvalidTransition


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Mapped")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


TRANSITIONS: dict[str, set[str]] = {
    ImportStatus.UPLOADED: {ImportStatus.MAPPED},
    ImportStatus.MAPPED: {ImportStatus.MAPPED, ImportStatus.RUNNING},
    ImportStatus.RUNNING: {ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.RUNNING},  # running → running: stalled
    ImportStatus.FAILED: {ImportStatus.RUNNING},
    ImportStatus.DONE: set(),
}


def ensure_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition()


class LeadImport(models.Model):
    file_name = models.CharField(_("file name"), max_length=200)
    file_path = models.CharField(_("stored file"), max_length=300, editable=False)
    file_kind = models.CharField(_("file type"), max_length=4)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    headers = models.JSONField(_("headers"), default=list)
    row_count = models.PositiveIntegerField(_("data rows"))
    mapping = models.JSONField(_("column mapping"), default=list)
    channel = models.ForeignKey("leads.Channel", verbose_name=_("channel"), on_delete=models.PROTECT)
    campaign = models.CharField(_("campaign"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid"), default=0)
    prefilter_invalid_count = models.PositiveIntegerField(_("failed the pre-filter"), default=0)
    job_run = models.ForeignKey(
        "jobs.JobRun", verbose_name=_("job run"), null=True, blank=True, on_delete=models.SET_NULL
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("organisation unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at", "-id"]
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return f"I{self.pk:06d}" if self.pk else "I(new)"

    @property
    def rejected_count(self) -> int:
        return self.invalid_count + self.duplicate_count

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(100, self.rows_done * 100 // self.row_count) if self.row_count else 0

    @property
    def mapping_open(self) -> bool:
        """The column mapping may still be changed (nothing has run yet)."""
        return self.status in (ImportStatus.UPLOADED, ImportStatus.MAPPED)

    @property
    def is_active(self) -> bool:
        return self.status == ImportStatus.RUNNING and not self.is_stalled

    @property
    def is_stalled(self) -> bool:
        """Running, but its job run failed or its worker stopped reporting (killed): it may be resumed."""
        from loancrm.jobs.models import JobStatus
        from loancrm.jobs.services import STALE_AFTER

        if self.status != ImportStatus.RUNNING or self.job_run is None:
            return False
        run = self.job_run
        beat = run.heartbeat_at
        return run.status == JobStatus.FAILED or beat is None or timezone.now() - beat >= STALE_AFTER


class RejectedRow(models.Model):
    """A row the import did not turn into a new lead: invalid fields or a duplicate."""

    class Kind(models.TextChoices):
        INVALID = "invalid", _("Invalid")
        DUPLICATE = "duplicate", _("Duplicate")

    lead_import = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        default_permissions = ()
        ordering = ["row_number"]
        constraints = [models.UniqueConstraint(fields=["lead_import", "row_number"], name="rejectedrow_unique_row")]

    def __str__(self) -> str:
        return f"{self.lead_import} #{self.row_number} {self.kind}"
