"""Starting, resuming and recording job runs: one run per (job, date), resume from the cursor, failures kept."""

from __future__ import annotations

import datetime as dt
import threading
from unittest.mock import ANY

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from loancrm.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.jobs import services
from loancrm.jobs.models import LOG_MAX_CHARS, LOG_MAX_LINES, JobRun, JobStatus, append_log, ensure_transition
from loancrm.jobs.runner import execute_run

D = dt.date(2026, 11, 23)


@pytest.fixture
def flaky_job(register_job):
    """A job of 5,000 records that fails once at record 3,000 and then resumes from its cursor."""
    state = {"fail": True, "calls": []}

    @register_job("test.flaky")
    def flaky(ctx):
        ctx.set_total(5000)
        for batch in range(ctx.cursor.get("next", 0), 5000, 1000):
            if batch == 3000 and state["fail"]:
                state["fail"] = False
                ctx.log("about to fail")
                raise RuntimeError("disk full")
            state["calls"].append(batch)
            ctx.advance(processed=990, failed=10, cursor={"next": batch + 1000})

    return state


def start(name, **kwargs):
    run = services.job_start(name=name, business_date=D, **kwargs)
    execute_run(run.pk)
    return JobRun.objects.get(pk=run.pk)


@pytest.mark.django_db
def test_a_start_runs_the_job_through_the_task_queue(django_capture_on_commit_callbacks):
    # given the immediate task backend of the tests; when a job is started
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.job_start(name="system.selftest", business_date=D)
    # then the task ran after commit and recorded progress, outcome and audit
    run.refresh_from_db()
    assert len(callbacks) == 1
    assert (run.status, run.processed, run.failed_count, run.total, run.percent) == ("succeeded", 10000, 0, 10000, 100)
    assert run.progress == 1.0 and run.cursor == {"next": 10000} and run.attempt == 1 and run.error == ""
    assert run.started_at is not None and run.finished_at is not None and run.finished_at >= run.started_at
    assert "attempt 1 started" in run.log and "counted from 0 to 10000" in run.log and run.log.endswith("succeeded\n")
    event = AuditEvent.objects.get(action="job.started", target_id=str(run.pk))
    assert event.data["job"] == "system.selftest" and event.data["attempt"] == 1


@pytest.mark.django_db
def test_a_start_without_a_date_uses_the_current_business_date(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "current_business_date", lambda: dt.date(2026, 11, 20))
    with django_capture_on_commit_callbacks(execute=False):
        run = services.job_start(name="system.selftest")
    assert (run.business_date, run.status, run.triggered_by) == (dt.date(2026, 11, 20), "pending", None)


@pytest.mark.django_db
def test_the_starting_user_is_recorded(org):
    from loancrm.accounts.tests.factories import make_user

    ops = make_user("ops", role="operations", unit=org.hq)
    run = services.job_start(name="system.selftest", business_date=D, actor=ops)
    assert run.triggered_by == ops
    assert AuditEvent.objects.get(action="job.started").actor_id == ops.pk


@pytest.mark.django_db
def test_a_failure_is_recorded_and_a_rerun_resumes_from_the_cursor(flaky_job):
    failed = start("test.flaky")
    assert failed.status == JobStatus.FAILED and failed.finished_at is not None
    assert "RuntimeError: disk full" in failed.error and "Traceback" in failed.error
    assert (failed.processed, failed.failed_count, failed.total, failed.cursor) == (2970, 30, 5000, {"next": 3000})
    assert "about to fail" in failed.log and "failed: RuntimeError: disk full" in failed.log
    resumed = start("test.flaky")
    assert resumed.pk == failed.pk and resumed.attempt == 2
    assert (resumed.status, resumed.processed, resumed.failed_count, resumed.error) == ("succeeded", 4950, 50, "")
    assert "resumed as attempt 2 from cursor {'next': 3000}" in resumed.log
    assert flaky_job["calls"] == [0, 1000, 2000, 3000, 4000]
    assert JobRun.objects.filter(name="test.flaky").count() == 1
    assert AuditEvent.objects.filter(action="job.resumed", target_id=str(resumed.pk)).count() == 1


@pytest.mark.django_db
def test_a_succeeded_run_is_not_repeated_and_the_refusal_writes_nothing():
    done = start("system.selftest")
    events = AuditEvent.objects.count()
    with pytest.raises(services.JobAlreadyDone) as info:
        services.job_start(name="system.selftest", business_date=D)
    assert info.value.code == "job_already_done"
    assert AuditEvent.objects.count() == events
    again = JobRun.objects.get(pk=done.pk)
    assert (again.status, again.attempt, again.log) == ("succeeded", 1, done.log)
    other_day = services.job_start(name="system.selftest", business_date=D + dt.timedelta(days=1))
    assert other_day.pk != done.pk and JobRun.objects.count() == 2


@pytest.mark.django_db
def test_a_rerunnable_job_runs_again_from_the_start(register_job):
    seen = []

    @register_job("test.again", rerunnable=True)
    def again(ctx):
        seen.append(ctx.cursor)
        ctx.set_total(2)
        ctx.advance(processed=2, cursor={"done": True})

    first = start("test.again")
    second = start("test.again")
    assert second.pk == first.pk and second.attempt == 2 and second.status == "succeeded"
    assert (second.processed, second.total) == (2, 2)
    assert seen == [{}, {}]
    assert "rerun as attempt 2" in second.log


@pytest.mark.django_db
def test_a_fresh_queued_or_running_run_is_not_started_twice_but_a_stale_one_resumes():
    run = services.job_start(name="system.selftest", business_date=D)
    with pytest.raises(services.JobRunning) as info:
        services.job_start(name="system.selftest", business_date=D)
    assert info.value.code == "job_running"
    JobRun.objects.filter(pk=run.pk).update(status="running", heartbeat_at=timezone.now())
    with pytest.raises(services.JobRunning):
        services.job_start(name="system.selftest", business_date=D)
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    resumed = services.job_start(name="system.selftest", business_date=D)
    assert resumed.pk == run.pk and resumed.attempt == 2 and resumed.status == "pending"


@pytest.mark.django_db
def test_unknown_jobs_and_users_without_permission_are_refused(org):
    from loancrm.accounts.tests.factories import make_user

    with pytest.raises(ValidationFailed) as info:
        services.job_start(name="nope", business_date=D)
    with translation.override("en"):
        assert info.value.as_dict() == {
            "code": "validation_error",
            "message": ANY,
            "fields": {"name": ["Unknown job."]},
        }
    with pytest.raises(PermissionDenied):
        services.job_start(name="system.selftest", business_date=D, actor=make_user("agent", role="sales_agent"))
    assert not JobRun.objects.exists() and not AuditEvent.objects.filter(action__startswith="job.").exists()


@pytest.mark.django_db
def test_an_unregistered_job_in_a_run_fails_cleanly():
    run = JobRun.objects.create(name="ghost.job", business_date=D)
    assert execute_run(run.pk) == "failed"
    assert "not registered" in JobRun.objects.get(pk=run.pk).error


@pytest.mark.django_db
def test_a_task_delivered_twice_runs_the_job_once():
    run = start("system.selftest")
    assert execute_run(run.pk) == "skipped"
    assert JobRun.objects.get(pk=run.pk).log == run.log


@pytest.mark.django_db
def test_an_interrupted_run_is_recorded_as_failed_and_can_resume(register_job):
    @register_job("test.interrupted")
    def interrupted(ctx):
        ctx.advance(processed=5, cursor={"next": 5})
        raise KeyboardInterrupt

    run = services.job_start(name="test.interrupted", business_date=D)
    with pytest.raises(KeyboardInterrupt):
        execute_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.processed, run.cursor) == ("failed", 5, {"next": 5})
    assert run.error == "interrupted (KeyboardInterrupt)"
    assert services.job_start(name="test.interrupted", business_date=D).attempt == 2


def test_status_transitions():
    ensure_transition(JobStatus.PENDING, JobStatus.RUNNING)
    ensure_transition(JobStatus.FAILED, JobStatus.PENDING)
    for current, target in [("succeeded", "running"), ("failed", "succeeded"), ("pending", "succeeded")]:
        with pytest.raises(InvalidTransition):
            ensure_transition(current, target)


def test_the_log_keeps_the_newest_lines_with_timestamps():
    at = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 30, 5))
    log = ""
    for number in range(LOG_MAX_LINES + 50):
        log = append_log(log, f"line {number}", at)
    lines = log.splitlines()
    assert len(lines) == LOG_MAX_LINES
    assert lines[0] == "2026-11-23 09:30:05 line 50" and lines[-1] == f"2026-11-23 09:30:05 line {LOG_MAX_LINES + 49}"


def test_the_log_is_bounded_in_size():
    log = ""
    for number in range(100):
        log = append_log(log, f"{number:03d} " + "x" * 2000)
    assert len(log) <= LOG_MAX_CHARS and log.endswith("x\n")
    assert log.splitlines()[0][20:23].isdigit()  # whole lines only: each starts with its timestamp
    assert " 099 " in log.splitlines()[-1]


def test_progress_percent_and_duration():
    start_time = timezone.now()
    run = JobRun(status="running", total=400, processed=100, started_at=start_time)
    assert (run.progress, run.percent, run.is_active) == (0.25, 25, True)
    run.finished_at = start_time + dt.timedelta(hours=1, minutes=2, seconds=3)
    assert run.duration == "1:02:03" and run.duration_seconds == 3723
    assert JobRun(status="pending").duration == "" and JobRun(status="pending").progress == 0.0
    assert JobRun(status="succeeded", total=0).percent == 100


@pytest.mark.django_db(transaction=True)
def test_parallel_starts_make_one_run():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers with a database lock instead of row locks")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            services.job_start(name="system.selftest", business_date=D, enqueue=False)
            outcomes.append("started")
        except services.JobRunning:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["started"]
    assert JobRun.objects.filter(name="system.selftest").count() == 1
    assert AuditEvent.objects.filter(action="job.started").count() == 1
