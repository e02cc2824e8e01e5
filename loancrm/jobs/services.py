"""Starting (or resuming) job runs, and the scheduler tick.

Invariants: (job, business date, run key) has one JobRun, created race-free (insert, or lock the existing row);
starting a succeeded run is refused unless the job is rerunnable; a running run with a fresh heartbeat (or a
queued one not yet picked up) is refused; a failed, pending or stale run is resumed from its cursor with the
attempt counter raised; the task is enqueued only after the transaction commits; every start is audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from loancrm.jobs.models import JobRun, JobStatus, ScheduledTick, append_log, ensure_transition
from loancrm.jobs.registry import BatchJob, all_jobs, get_job
from loancrm.jobs.schedule import due_slots

logger = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=10)


class JobAlreadyDone(Conflict):
    code = "job_already_done"
    default_message = _("This job has already completed for that business date.")


class JobRunning(Conflict):
    code = "job_running"
    default_message = _("This job is queued or running now.")


def _claim(name: str, business_date: dt.date, run_key: str, actor: Any) -> tuple[JobRun, bool]:
    """Insert the run, or lock the one that exists; the unique constraint decides between racing starters."""
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
    enqueue: bool = True,
) -> JobRun:
    """Create the run of ``name`` for the business date (or resume it) and enqueue it after commit.

    ``actor=None`` is the system (scheduler, shell). ``enqueue=False`` leaves the pending run for the caller to
    execute in-process (``job_run --wait``).
    """
    if actor is not None and not actor.has_perm("jobs.run_job"):
        raise PermissionDenied()
    job = get_job(name)
    if job is None:
        raise ValidationFailed(fields={"name": [_("Unknown job.")]})
    business_date = business_date or current_business_date()
    user = actor if getattr(actor, "is_authenticated", False) else None
    run, created = _claim(name, business_date, run_key, user)
    if not created:
        _resume(run, job, user)
    audit_event(
        actor, "job.started" if created else "job.resumed", run,
        {"job": name, "business_date": business_date, "run_key": run_key, "attempt": run.attempt}, request,
    )  # fmt: skip
    if enqueue:
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _resume(run: JobRun, job: BatchJob, user: Any) -> None:
    fresh = run.heartbeat_at is not None and timezone.now() - run.heartbeat_at < STALE_AFTER
    if run.status in (JobStatus.RUNNING, JobStatus.PENDING) and fresh:
        raise JobRunning()
    if run.status == JobStatus.SUCCEEDED:
        if not job.rerunnable:
            raise JobAlreadyDone()
        run.total = run.processed = run.failed_count = 0
        run.cursor, run.started_at, run.error = {}, None, ""
        note = f"rerun as attempt {run.attempt + 1}"
    else:
        note = f"resumed as attempt {run.attempt + 1} from cursor {run.cursor or '{}'}"
    if run.status != JobStatus.PENDING:
        ensure_transition(run.status, JobStatus.PENDING)
    run.status, run.attempt, run.finished_at = JobStatus.PENDING, run.attempt + 1, None
    run.heartbeat_at = timezone.now()
    run.triggered_by = user
    run.log = append_log(run.log, note)
    run.save()


def _enqueue(run_id: int) -> None:
    from loancrm.jobs.tasks import run_job

    run_job.enqueue(run_id)


def scheduler_tick(*, now: dt.datetime | None = None) -> list[str]:
    """Start every scheduled job whose latest due slot is not yet claimed; returns the names started.

    Missed slots (no scheduler was running) are not replayed one by one: only the latest due slot runs, once the
    scheduler is back. A daily job for an earlier business date that was missed must be started by hand.
    The ScheduledTick insert and the start share a transaction: an unexpected error leaves the slot unclaimed
    (retried on the next tick); a refusal (already done, still running) keeps it claimed.
    """
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    last_claimed = dict(ScheduledTick.objects.values_list("name").annotate(last=Max("slot")))
    started = []
    for job in all_jobs():
        if job.schedule is None:
            continue
        due = due_slots(job.schedule, last_claimed.get(job.name), now, tz)
        if not due:
            continue
        if _start_slot(job, due[-1], tz):
            started.append(job.name)
    return started


def _start_slot(job: BatchJob, slot: dt.datetime, tz: ZoneInfo) -> bool:
    run_key = "" if job.per_business_date else slot.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ScheduledTick.objects.create(name=job.name, slot=slot)
            except IntegrityError:
                return False  # another scheduler claimed this slot
            try:
                job_start(name=job.name, run_key=run_key)
            except DomainError as exc:
                logger.info("scheduled %s (%s) not started: %s", job.name, slot.isoformat(), exc.message)
                return False
    except Exception:
        logger.exception("scheduled %s (%s) failed to start; will retry", job.name, slot.isoformat())
        return False
    return True
