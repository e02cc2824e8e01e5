"""Reads of the job monitor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from loancrm.jobs.models import JobRun, JobStatus
from loancrm.jobs.registry import all_jobs

__all__ = ["all_jobs", "any_active", "job_overview", "runs"]


def runs(
    *, name: str = "", status: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[JobRun]:
    qs = JobRun.objects.select_related("triggered_by")
    if name:
        qs = qs.filter(name=name)
    if status in JobStatus.values:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(business_date__gte=date_from)
    if date_to:
        qs = qs.filter(business_date__lte=date_to)
    return qs


def job_overview() -> list[dict[str, Any]]:
    """Each registered job with its schedule and its latest run."""
    latest: dict[str, JobRun] = {}
    for run in JobRun.objects.order_by("name", "-created_at", "-id"):
        latest.setdefault(run.name, run)
    return [{"job": job, "last_run": latest.get(job.name)} for job in all_jobs()]


def any_active(qs: QuerySet[JobRun]) -> bool:
    return qs.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).exists()
