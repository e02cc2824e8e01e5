"""Executing one JobRun: the context a job reports progress through, and the run's lifecycle.

Invariants: progress is committed in short transactions of its own, so the monitor sees it while the job runs and
a crash keeps what was committed; the final status, error and finish time are always written, whatever the job
raised (an interrupted worker records the run as failed before it exits); only a pending run is started, so a
task delivered twice runs the job once.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from loancrm.jobs.models import JobRun, JobStatus, append_log, ensure_transition
from loancrm.jobs.registry import get_job

logger = logging.getLogger(__name__)
ERROR_LIMIT = 8_000
ProgressCallback = Callable[[JobRun, str], None]


class JobRunContext:
    """What a running job sees: its run, the business date, the resume cursor, progress reporting."""

    def __init__(self, run: JobRun, on_progress: ProgressCallback | None = None):
        self.run = run
        self._on_progress = on_progress

    @property
    def business_date(self) -> Any:
        return self.run.business_date

    @property
    def cursor(self) -> dict[str, Any]:
        """Where the previous attempt got to (a copy; move it with ``advance(cursor=...)``)."""
        return dict(self.run.cursor or {})

    def set_total(self, total: int) -> None:
        self.run.total = total
        with transaction.atomic():
            JobRun.objects.filter(pk=self.run.pk).update(total=total, heartbeat_at=timezone.now())
        self._report("")

    def advance(self, *, processed: int = 0, failed: int = 0, cursor: dict[str, Any] | None = None) -> None:
        """Add to the counts (and move the cursor) in one committed update."""
        changes: dict[str, Any] = {
            "processed": F("processed") + processed,
            "failed_count": F("failed_count") + failed,
            "heartbeat_at": timezone.now(),
        }
        if cursor is not None:
            changes["cursor"] = cursor
            self.run.cursor = cursor
        with transaction.atomic():
            JobRun.objects.filter(pk=self.run.pk).update(**changes)
        self.run.refresh_from_db(fields=["processed", "failed_count"])
        self._report("")

    def log(self, message: str) -> None:
        """Append a timestamped line to the run's log (committed at once)."""
        with transaction.atomic():
            run = JobRun.objects.select_for_update().get(pk=self.run.pk)
            run.log = append_log(run.log, message)
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["log", "heartbeat_at"])
        logger.info("job %s: %s", self.run, message)
        self._report(message)

    def _report(self, message: str) -> None:
        if self._on_progress is not None:
            self._on_progress(self.run, message)


def _begin(run_id: int) -> JobRun | None:
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != JobStatus.PENDING:
            return None
        ensure_transition(run.status, JobStatus.RUNNING)
        now = timezone.now()
        run.status, run.heartbeat_at, run.error = JobStatus.RUNNING, now, ""
        run.started_at = run.started_at or now
        run.log = append_log(run.log, f"attempt {run.attempt} started")
        run.save(update_fields=["status", "started_at", "heartbeat_at", "error", "log"])
        return run


def _finish(run_id: int, status: str, error: str = "") -> None:
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(pk=run_id)
        ensure_transition(run.status, status)
        run.status, run.finished_at, run.error = status, timezone.now(), error[-ERROR_LIMIT:]
        last_line = error.strip().splitlines()[-1] if error.strip() else ""
        run.log = append_log(run.log, "succeeded" if status == JobStatus.SUCCEEDED else f"failed: {last_line}")
        run.save(update_fields=["status", "finished_at", "error", "log"])


def execute_run(run_id: int, *, on_progress: ProgressCallback | None = None) -> str:
    """Run a pending JobRun to its end and record the outcome; returns the final status ("skipped" if not pending).

    ``on_progress(run, message)`` is called after every progress update (used by ``job_run --wait``).
    """
    run = _begin(run_id)
    if run is None:
        return "skipped"
    job = get_job(run.name)
    try:
        if job is None:
            raise LookupError(f"job {run.name!r} is not registered")
        job.function(JobRunContext(run, on_progress))
    except Exception:
        logger.exception("job %s failed", run)
        _finish(run_id, JobStatus.FAILED, traceback.format_exc())
        return JobStatus.FAILED
    except BaseException as exc:
        logger.warning("job %s interrupted", run)
        _finish(run_id, JobStatus.FAILED, f"interrupted ({type(exc).__name__})")
        raise
    _finish(run_id, JobStatus.SUCCEEDED)
    return JobStatus.SUCCEEDED
