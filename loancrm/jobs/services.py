"""Starting (or resuming) job runs, and the scheduler tick.

Invariants: (job, business date, run key) has one JobRun; starting a succeeded run is refused, a running run
with a fresh heartbeat is refused, a failed, pending or stale run is resumed from its cursor with the attempt
counter raised; the task is enqueued only after the transaction commits; every start is audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from loancrm.jobs.models import JobRun, JobStatus, ScheduledTick, ensure_transition
from loancrm.jobs.registry import all_jobs, get_job
from loancrm.jobs.runner import _append

logger = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=10)


class JobAlreadyDone(Conflict):
    code = "job_already_done"
    default_message = _("This job has already completed for that business date.")


class JobRunning(Conflict):
    code = "job_running"
    default_message = _("This job is queued or running now.")


def _claim(name: str, business_date: dt.date, run_key: str, actor: Any) -> tuple[JobRun, bool]:
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                name=name, business_date=business_date, run_key=run_key, triggered_by=actor, heartbeat_at=timezone.now()
            )
            return run, True
    except IntegrityError:
        return JobRun.objects.select_for_update().get(name=name, business_date=business_date, run_key=run_key), False


@transaction.atomic
def job_start(
    *,
    name: str,
    business_date: dt.date | None = None,
    run_key: str = "",
    actor: Any = None,
    request: HttpRequest | None = None,
) -> JobRun:
    """Create the run of ``name`` for the business date (or resume it) and enqueue it after commit."""
    if actor is not None and not actor.has_perm("jobs.run_job"):
        raise PermissionDenied()
    job = get_job(name)
    if job is None:
        raise ValidationFailed(fields={"name": [_("Unknown job.")]})
    business_date = business_date or current_business_date()
    user = actor if getattr(actor, "is_authenticated", False) else None
    run, created = _claim(name, business_date, run_key, user)
    if not created:
        run = JobRun.objects.select_for_update().get(pk=run.pk)
        _resume(run)
    audit_event(
        actor, "job.started" if created else "job.resumed", run,
        {"job": name, "business_date": business_date, "attempt": run.attempt}, request,
    )  # fmt: skip
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _resume(run: JobRun) -> None:
    if run.status == JobStatus.SUCCEEDED:
        raise JobAlreadyDone()
    fresh = run.heartbeat_at is not None and timezone.now() - run.heartbeat_at < STALE_AFTER
    if run.status == JobStatus.RUNNING and fresh:
        raise JobRunning()
    if run.status == JobStatus.PENDING and run.attempt and fresh:
        raise JobRunning()
    if run.status != JobStatus.PENDING:
        ensure_transition(run.status, JobStatus.PENDING)
    run.status, run.attempt, run.finished_at = JobStatus.PENDING, run.attempt + 1, None
    run.heartbeat_at = timezone.now()
    run.log = _append(run.log, f"resumed as attempt {run.attempt} from cursor {run.cursor or '{}'}")
    run.save(update_fields=["status", "attempt", "finished_at", "heartbeat_at", "log"])


def _enqueue(run_id: int) -> None:
    from loancrm.jobs.tasks import run_job

    run_job.enqueue(run_id)


def scheduler_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Start every scheduled job whose latest slot is not yet claimed; returns the names started.

    Only the latest slot is considered, so slots missed while no scheduler ran are not replayed one by one
    (a daily job that missed its time runs once when the scheduler comes back on the same day).
    """
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    started = []
    for job in all_jobs():
        if job.schedule is None:
            continue
        slot = job.schedule.latest_slot(now, tz)
        if slot is None or now - slot > dt.timedelta(days=1):
            continue
        try:
            with transaction.atomic():
                ScheduledTick.objects.create(name=job.name, slot=slot)
        except IntegrityError:
            continue
        run_key = "" if job.per_business_date else slot.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
        try:
            job_start(name=job.name, run_key=run_key)
        except DomainError as exc:
            logger.info("scheduled %s not started: %s", job.name, exc)
            continue
        started.append(job.name)
    return started
