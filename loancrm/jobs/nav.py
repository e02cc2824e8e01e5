"""Sidebar entry of the job monitor and the home-page card of failed runs."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem, WorkQueue


def _failed_runs(user: Any) -> int:
    """Runs whose latest attempt failed (a successful resume takes them off the card)."""
    from loancrm.jobs.models import JobRun, JobStatus

    return JobRun.objects.filter(status=JobStatus.FAILED).count()


NAV_ITEMS = [
    NavItem(
        "jobs",
        _("Batch jobs"),
        "jobs:runs",
        "clock-play",
        _("Operations"),
        order=800,
        permissions=("jobs.view_jobrun",),
    ),
]
WORK_QUEUES = [
    WorkQueue(
        "failed_jobs",
        _("Failed batch jobs"),
        "jobs:runs",
        _failed_runs,
        ("jobs.view_jobrun",),
        "alert-triangle",
        "status=failed",
    ),
]
