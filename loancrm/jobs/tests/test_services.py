"""Starting, resuming and recording job runs; the scheduler claims each slot once."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.jobs import services
from loancrm.jobs.models import JobRun, JobStatus, ScheduledTick
from loancrm.jobs.registry import REGISTRY, batch_job
from loancrm.jobs.runner import execute_run
from loancrm.jobs.schedule import daily, every

D = dt.date(2026, 11, 23)
CALLS: list[int] = []


@pytest.fixture
def flaky_job():
    """A job that fails once at 3,000 of 5,000 and then resumes from its cursor."""
    state = {"fail": True}

    @batch_job("test.flaky", "Flaky")
    def flaky(ctx):
        ctx.set_total(5000)
        start = ctx.cursor.get("next", 0)
        for batch in range(start, 5000, 1000):
            if batch == 3000 and state["fail"]:
                state["fail"] = False
                raise RuntimeError("disk full")
            CALLS.append(batch)
            ctx.advance(processed=1000, cursor={"next": batch + 1000})

    CALLS.clear()
    yield "test.flaky"
    REGISTRY.pop("test.flaky")


def start(name, **kwargs):
    run = services.job_start(name=name, business_date=D, **kwargs)
    execute_run(run.pk)
    return JobRun.objects.get(pk=run.pk)


@pytest.mark.django_db
def test_selftest_runs_to_completion_with_progress_and_audit():
    run = start("system.selftest")
    assert (run.status, run.processed, run.total, run.percent) == ("succeeded", 10000, 10000, 100)
    assert run.finished_at is not None and "counted from 0 to 10000" in run.log
    assert AuditEvent.objects.filter(action="job.started", target_id=str(run.pk)).count() == 1


@pytest.mark.django_db
def test_a_failure_is_recorded_and_a_rerun_resumes_from_the_cursor(flaky_job):
    failed = start(flaky_job)
    assert failed.status == JobStatus.FAILED and "disk full" in failed.error
    assert failed.processed == 3000 and failed.cursor == {"next": 3000}
    assert "failed: RuntimeError: disk full" in failed.log
    resumed = start(flaky_job)
    assert resumed.pk == failed.pk and resumed.attempt == 2
    assert resumed.status == JobStatus.SUCCEEDED and resumed.processed == 5000 and resumed.error == ""
    assert CALLS == [0, 1000, 2000, 3000, 4000]
    assert JobRun.objects.filter(name=flaky_job).count() == 1


@pytest.mark.django_db
def test_a_succeeded_run_is_not_repeated():
    start("system.selftest")
    with pytest.raises(services.JobAlreadyDone) as info:
        services.job_start(name="system.selftest", business_date=D)
    assert info.value.code == "job_already_done"
    other_day = services.job_start(name="system.selftest", business_date=D + dt.timedelta(days=1))
    assert other_day.business_date == D + dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_fresh_queued_run_is_not_started_twice_but_a_stale_one_resumes():
    run = services.job_start(name="system.selftest", business_date=D)
    with pytest.raises(services.JobRunning):
        services.job_start(name="system.selftest", business_date=D)
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=run.heartbeat_at - dt.timedelta(hours=1))
    resumed = services.job_start(name="system.selftest", business_date=D)
    assert resumed.pk == run.pk and resumed.attempt == 2


@pytest.mark.django_db
def test_unknown_jobs_and_users_without_permission_are_refused(org):
    from loancrm.accounts.tests.factories import make_user

    with pytest.raises(ValidationFailed):
        services.job_start(name="nope", business_date=D)
    with pytest.raises(PermissionDenied):
        services.job_start(name="system.selftest", business_date=D, actor=make_user("agent", role="sales_agent"))
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_unregistered_job_in_a_run_fails_cleanly():
    run = JobRun.objects.create(name="ghost.job", business_date=D)
    assert execute_run(run.pk) == "failed"
    assert "not registered" in JobRun.objects.get(pk=run.pk).error


@pytest.mark.django_db
def test_the_scheduler_claims_a_slot_once(monkeypatch):
    started: list[str] = []

    @batch_job("test.nightly", "Nightly", schedule=daily("03:00"))
    def nightly(ctx):
        started.append("ran")

    @batch_job("test.minutely", "Minutely", schedule=every(5), per_business_date=False)
    def minutely(ctx):
        started.append("tick")

    try:
        now = dt.datetime(2026, 11, 23, 3, 7, tzinfo=ZoneInfo("Asia/Shanghai"))
        first = services.scheduler_tick(now=now)
        second = services.scheduler_tick(now=now + dt.timedelta(seconds=30))
        assert {"test.nightly", "test.minutely"} <= set(first)
        assert "test.nightly" not in second and "test.minutely" not in second
        assert ScheduledTick.objects.filter(name="test.nightly").count() == 1
        later = services.scheduler_tick(now=now + dt.timedelta(minutes=5))
        assert "test.minutely" in later and "test.nightly" not in later
        keys = set(JobRun.objects.filter(name="test.minutely").values_list("run_key", flat=True))
        assert keys == {"2026-11-23T03:05", "2026-11-23T03:10"}
    finally:
        REGISTRY.pop("test.nightly")
        REGISTRY.pop("test.minutely")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions are a PostgreSQL test")
@pytest.mark.django_db(transaction=True)
def test_parallel_starts_make_one_run():
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            services.job_start(name="system.selftest", business_date=D)
            outcomes.append("started")
        except (services.JobRunning, services.JobAlreadyDone):
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
