"""Job monitor page, run-now form and API: permissions, progress rendering, error shape."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from loancrm.accounts import services as account_services
from loancrm.accounts.tests.factories import make_user
from loancrm.jobs.models import JobRun
from loancrm.jobs.runner import execute_run


@pytest.fixture
def ops(org) -> Client:
    client = Client()
    client.force_login(make_user("ops", role="operations", unit=org.hq))
    return client


@pytest.mark.django_db
def test_runs_page_shows_jobs_runs_and_progress(ops):
    run = JobRun.objects.create(
        name="system.selftest", business_date="2026-11-23", total=200, processed=50, status="running"
    )
    page = ops.get("/jobs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "批处理作业" in html and "自检" in html and "每天 03:00" in html
    assert "50/200 · 25%" in html and 'hx-trigger="every 2s"' in html
    assert re.search(r'type="date" name="business_date" value="\d{4}-\d{2}-\d{2}"', html)
    fragment = ops.get("/jobs/?part=rows", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "50/200" in fragment
    detail = ops.get(f"/jobs/runs/{run.pk}/")
    assert detail.status_code == 200 and "运行中" in detail.content.decode()


@pytest.mark.django_db
def test_finished_runs_do_not_poll_and_filters_apply(ops):
    JobRun.objects.create(name="system.selftest", business_date="2026-11-22", status="succeeded", total=1, processed=1)
    JobRun.objects.create(name="system.selftest", business_date="2026-11-23", status="failed")
    html = ops.get("/jobs/?status=failed").content.decode()
    assert 'hx-trigger="every 2s"' not in html
    assert "2026-11-23" in html and "2026-11-22</td>" not in html


@pytest.mark.django_db
def test_run_now_starts_a_run_and_refuses_bad_input_clearly(ops):
    response = ops.post("/jobs/start/", {"name": "system.selftest", "business_date": "2026-11-23"})
    run = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/runs/{run.pk}/"
    execute_run(run.pk)
    again = ops.post("/jobs/start/", {"name": "system.selftest", "business_date": "2026-11-23"}, follow=True)
    assert "该作业在此营业日已完成" in again.content.decode()
    bad = ops.post("/jobs/start/", {"name": "system.selftest", "business_date": "someday"}, follow=True)
    assert "作业未启动" in bad.content.decode()
    assert JobRun.objects.count() == 1


@pytest.mark.django_db
def test_sales_agents_cannot_see_or_start_jobs(org):
    client = Client()
    client.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    assert client.get("/jobs/").status_code == 403
    assert client.post("/jobs/start/", {"name": "system.selftest", "business_date": "2026-11-23"}).status_code == 403
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/jobs/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_jobs_api(org):
    admin = make_user("boss", role="administrator", unit=org.hq)
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    _t, secret = account_services.api_token_create(actor=admin, user_id=admin.pk, name="ops", scopes=["*"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    names = {job["name"] for job in client.get("/api/v1/jobs/", **auth).json()}
    assert {"system.selftest", "housekeeping.prune_task_results"} <= names
    started = client.post(
        "/api/v1/jobs/runs",
        json.dumps({"name": "system.selftest", "business_date": "2026-11-23"}),
        content_type="application/json",
        **auth,
    )
    assert started.status_code == 202 and started.json()["status"] == "pending"
    listed = client.get("/api/v1/jobs/runs?status=pending", **auth).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "system.selftest"
    unknown = client.post("/api/v1/jobs/runs", json.dumps({"name": "nope"}), content_type="application/json", **auth)
    assert unknown.status_code == 400 and unknown.json()["fields"]["name"] == ["未知的作业。"]
    client.force_login(agent)
    assert client.get("/api/v1/jobs/runs").status_code == 403
