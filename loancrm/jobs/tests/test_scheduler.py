"""The scheduler claims each slot once, runs only the latest missed slot; the shell commands around it."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from loancrm.jobs import services
from loancrm.jobs.management.commands import run_scheduler, run_worker
from loancrm.jobs.models import JobRun, ScheduledTick
from loancrm.jobs.registry import REGISTRY
from loancrm.jobs.schedule import daily, every

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 3, 7, tzinfo=SH)


@pytest.fixture
def only_test_jobs(monkeypatch):
    """Hide the built-in scheduled jobs so a tick sees only the jobs a test registers."""
    monkeypatch.setattr(services, "all_jobs", lambda: sorted(
        (job for job in REGISTRY.values() if job.name.startswith("test.")), key=lambda job: job.name
    ))  # fmt: skip


@pytest.fixture
def scheduled(register_job, only_test_jobs):
    ran: list[str] = []

    @register_job("test.nightly", schedule=daily("03:00"))
    def nightly(ctx):
        ran.append("nightly")

    @register_job("test.minutely", schedule=every(5), per_business_date=False)
    def minutely(ctx):
        ran.append("minutely")

    return ran


@pytest.mark.django_db
def test_a_slot_is_claimed_once(scheduled, django_capture_on_commit_callbacks):
    # when the scheduler ticks twice within the same slots
    with django_capture_on_commit_callbacks(execute=True):
        first = services.scheduler_tick(now=NOW)
        second = services.scheduler_tick(now=NOW + dt.timedelta(seconds=30))
    # then each job started once
    assert first == ["test.minutely", "test.nightly"] and second == []
    assert sorted(scheduled) == ["minutely", "nightly"]
    assert list(ScheduledTick.objects.order_by("name").values_list("name", "slot")) == [
        ("test.minutely", dt.datetime(2026, 11, 23, 3, 5, tzinfo=SH)),
        ("test.nightly", dt.datetime(2026, 11, 23, 3, 0, tzinfo=SH)),
    ]
    # and the next five-minute slot starts the intraday job again, keyed by its slot
    with django_capture_on_commit_callbacks(execute=True):
        assert services.scheduler_tick(now=NOW + dt.timedelta(minutes=5)) == ["test.minutely"]
    keys = sorted(JobRun.objects.filter(name="test.minutely").values_list("run_key", flat=True))
    assert keys == ["2026-11-23T03:05", "2026-11-23T03:10"]
    assert JobRun.objects.get(name="test.nightly").status == "succeeded"


@pytest.mark.django_db
def test_a_slot_claimed_by_another_scheduler_is_not_started(scheduled):
    ScheduledTick.objects.create(name="test.nightly", slot=dt.datetime(2026, 11, 23, 3, 0, tzinfo=SH))
    ScheduledTick.objects.create(name="test.minutely", slot=dt.datetime(2026, 11, 23, 3, 5, tzinfo=SH))
    assert services.scheduler_tick(now=NOW) == []
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_the_tick_insert_decides_even_without_the_precheck(scheduled):
    job = REGISTRY["test.nightly"]
    slot = dt.datetime(2026, 11, 23, 3, 0, tzinfo=SH)
    assert services._start_slot(job, slot, SH) is True
    assert services._start_slot(job, slot, SH) is False
    assert JobRun.objects.filter(name="test.nightly").count() == 1


@pytest.mark.django_db
def test_missed_slots_run_only_the_latest(scheduled):
    ScheduledTick.objects.create(name="test.nightly", slot=dt.datetime(2026, 11, 20, 3, 0, tzinfo=SH))
    ScheduledTick.objects.create(name="test.minutely", slot=dt.datetime(2026, 11, 22, 22, 0, tzinfo=SH))
    assert services.scheduler_tick(now=NOW) == ["test.minutely", "test.nightly"]
    assert ScheduledTick.objects.count() == 4
    assert list(JobRun.objects.order_by("name").values_list("name", "run_key")) == [
        ("test.minutely", "2026-11-23T03:05"),
        ("test.nightly", ""),
    ]


@pytest.mark.django_db
def test_a_refused_start_keeps_the_slot_but_an_unexpected_error_leaves_it_for_the_next_tick(scheduled, monkeypatch):
    services.job_start(name="test.nightly", business_date=services.current_business_date())  # queued by hand
    calls = {"n": 0}
    real_start = services.job_start

    def broken_once(**kwargs):
        if kwargs["name"] == "test.minutely" and calls["n"] == 0:
            calls["n"] += 1
            raise RuntimeError("database went away")
        return real_start(**kwargs)

    monkeypatch.setattr(services, "job_start", broken_once)
    assert services.scheduler_tick(now=NOW) == []
    assert list(ScheduledTick.objects.values_list("name", flat=True)) == ["test.nightly"]
    assert services.scheduler_tick(now=NOW + dt.timedelta(seconds=15)) == ["test.minutely"]


@pytest.mark.django_db
def test_run_scheduler_once(scheduled, monkeypatch):
    monkeypatch.setattr(services.timezone, "now", lambda: NOW)
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue().splitlines() == ["started test.minutely", "started test.nightly"]


def test_the_scheduler_loop_stops_when_told(monkeypatch):
    stop = threading.Event()
    ticks: list[int] = []

    def tick():
        ticks.append(1)
        if len(ticks) == 2:
            raise RuntimeError("boom")
        if len(ticks) == 3:
            stop.set()
        return ["test.job"]

    monkeypatch.setattr(run_scheduler, "scheduler_tick", tick)
    monkeypatch.setattr(run_scheduler, "close_old_connections", lambda: None)
    lines: list[str] = []
    run_scheduler.scheduler_loop(stop, lines.append, interval=0)
    assert len(ticks) == 3
    assert lines == ["scheduler: started test.job", "scheduler: tick failed: boom", "scheduler: started test.job"]


@pytest.mark.django_db
def test_run_worker_runs_the_scheduler_beside_the_db_worker(monkeypatch):
    seen = {}
    ticked = threading.Event()

    def fake_loop(stop, write, interval):
        ticked.set()
        stop.wait(5)
        seen["stopped"] = stop.is_set()

    def fake_call_command(name, **options):
        assert ticked.wait(5)
        seen["command"] = (name, options["queue_name"], options["reload"])

    monkeypatch.setattr(run_worker, "scheduler_loop", fake_loop)
    monkeypatch.setattr(run_worker, "call_command", fake_call_command)
    call_command("run_worker", stdout=StringIO())
    assert seen["command"] == ("db_worker", "default,batch", False)


@pytest.mark.django_db
def test_job_run_waits_and_prints_progress():
    out = StringIO()
    call_command("job_run", "system.selftest", "--date", "2026-11-23", "--wait", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("system.selftest 2026-11-23 attempt 1 (run #")
    assert "  1000/10000 processed, 0 failed" in lines and "  counted from 0 to 10000" in lines
    assert lines[-1] == "succeeded: 10000/10000 processed (100%), 0 failed"
    with pytest.raises(CommandError, match=r"already completed|已完成"):
        call_command("job_run", "system.selftest", "--date", "2026-11-23", stdout=StringIO())


@pytest.mark.django_db
def test_job_run_enqueues_without_wait(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("job_run", "system.selftest", "--date", "2026-11-23", stdout=out)
    # the immediate backend of the tests ran it on commit
    assert JobRun.objects.get().status == "succeeded"


@pytest.mark.django_db
def test_job_run_lists_jobs_and_refuses_unknown_ones():
    out = StringIO()
    call_command("job_run", stdout=out)
    assert "housekeeping.prune_task_results" in out.getvalue() and "system.selftest" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("job_run", "nope", stdout=StringIO())
    assert not JobRun.objects.exists()
