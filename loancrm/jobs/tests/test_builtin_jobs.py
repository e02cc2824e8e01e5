"""The built-in housekeeping jobs delete only what is old, in batches, with progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loancrm.accounts.models import UserSession
from loancrm.jobs import jobs
from loancrm.jobs.models import JobRun
from loancrm.jobs.registry import get_job
from loancrm.jobs.runner import execute_run
from loancrm.jobs.services import job_start

D = dt.date(2026, 11, 23)


def run_job(name: str) -> JobRun:
    run = job_start(name=name, business_date=D)
    execute_run(run.pk)
    return JobRun.objects.get(pk=run.pk)


def task_result(age_days: int | None) -> DBTaskResult:
    now = timezone.now()
    finished = None if age_days is None else now - dt.timedelta(days=age_days)
    return DBTaskResult.objects.create(
        status="SUCCESSFUL" if finished else "READY",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="loancrm.jobs.tasks.run_job",
        backend_name="default",
        run_after=now,
        finished_at=finished,
    )


def test_schedules_of_the_built_in_jobs():
    assert get_job("housekeeping.prune_task_results").schedule == jobs.daily("03:00")
    assert get_job("housekeeping.clear_expired_sessions").schedule == jobs.daily("03:30")
    assert get_job("system.selftest").schedule is None


@pytest.mark.django_db
def test_prune_task_results_deletes_results_older_than_30_days_in_batches(monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    old = [task_result(31) for _ in range(5)]
    kept = [task_result(29), task_result(None)]
    run = run_job("housekeeping.prune_task_results")
    assert (run.status, run.total, run.processed) == ("succeeded", 5, 5)
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {r.id for r in kept}
    assert not DBTaskResult.objects.filter(id__in=[r.id for r in old]).exists()
    assert "pruned results finished before" in run.log


@pytest.mark.django_db
def test_clear_expired_sessions_removes_expired_sessions_and_their_records(org):
    from loancrm.accounts.tests.factories import make_user

    user = make_user("ops", role="operations", unit=org.hq)
    now = timezone.now()
    for key, expires in [("expired1", now - dt.timedelta(minutes=1)), ("live1", now + dt.timedelta(hours=1))]:
        Session.objects.create(session_key=key, session_data="", expire_date=expires)
        UserSession.objects.create(user=user, session_key=key)
    run = run_job("housekeeping.clear_expired_sessions")
    assert (run.status, run.total, run.processed) == ("succeeded", 1, 1)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live1"]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["live1"]


@pytest.mark.django_db
def test_housekeeping_may_run_again_on_the_same_business_date():
    first = run_job("housekeeping.clear_expired_sessions")
    second = run_job("housekeeping.clear_expired_sessions")
    assert second.pk == first.pk and (second.status, second.attempt) == ("succeeded", 2)
