"""Job monitor page, run-now form and API: permissions, progress rendering, refusals as messages, error shape."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from loancrm.accounts import services as account_services
from loancrm.accounts.tests.factories import make_user
from loancrm.core.business_date import current_business_date
from loancrm.jobs.models import JobRun
from loancrm.jobs.runner import execute_run

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def english(user=None) -> Client:
    client = Client(**EN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def ops(org) -> Client:
    return english(make_user("ops", role="operations", unit=org.hq))


@pytest.fixture
def agent(org) -> Client:
    user = make_user("agent", unit=org.bj_team1)
    user.groups.add(Group.objects.get(name="role:sales_agent"))
    return english(user)


def run(**fields) -> JobRun:
    return JobRun.objects.create(**{"name": "system.selftest", "business_date": "2026-11-23", **fields})


@pytest.mark.django_db
def test_runs_page_shows_registered_jobs_runs_and_live_progress(ops):
    running = run(total=200, processed=50, failed_count=3, status="running", started_at=timezone.now())
    page = ops.get("/jobs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Batch jobs" in html and "Registered jobs" in html
    assert "Self-test (counts records in batches)" in html and "Daily at 03:00" in html and "On demand" in html
    assert "50/200 · 25%" in html and 'style="width: 25%"' in html and ">3</td>" in html
    assert 'hx-trigger="every 2s"' in html and 'data-status="running"' in html
    today = current_business_date().isoformat()
    assert len(re.findall(f'type="date" name="business_date" value="{today}"', html)) >= 3
    assert 'name="name" value="housekeeping.prune_task_results"' in html and "Run now" in html
    fragment = ops.get("/jobs/?status=running", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "50/200" in fragment and "Registered jobs" not in fragment
    assert 'hx-get="/jobs/?status=running"' in fragment
    detail = ops.get(f"/jobs/runs/{running.pk}/")
    assert detail.status_code == 200
    assert "Running" in detail.content.decode() and 'hx-trigger="every 2s"' in detail.content.decode()
    body = ops.get(f"/jobs/runs/{running.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and 'id="run-body"' in body


@pytest.mark.django_db
def test_the_default_language_is_chinese(org):
    client = Client()
    client.force_login(make_user("ops", role="operations", unit=org.hq))
    html = client.get("/jobs/").content.decode()
    assert "批处理作业" in html and "自检" in html


@pytest.mark.django_db
def test_finished_runs_do_not_poll_and_show_log_and_error(ops):
    done = run(
        status="succeeded", total=1, processed=1, log="2026-11-23 03:00:00 all good\n", business_date="2026-11-22"
    )
    failed = run(status="failed", error="Traceback\nRuntimeError: disk full")
    html = ops.get("/jobs/").content.decode()
    assert 'hx-trigger="every 2s"' not in html
    detail = ops.get(f"/jobs/runs/{done.pk}/").content.decode()
    assert "all good" in detail and 'hx-trigger="every 2s"' not in detail
    assert "RuntimeError: disk full" in ops.get(f"/jobs/runs/{failed.pk}/").content.decode()
    assert ops.get("/jobs/runs/999999/").status_code == 404


@pytest.mark.django_db
def test_filters_and_sorting(ops):
    run(business_date="2026-11-21", status="succeeded")
    run(business_date="2026-11-22", status="failed")
    run(name="housekeeping.prune_task_results", business_date="2026-11-23", status="succeeded")

    def dates(query: str) -> list[str]:
        return re.findall(r"<td class=\"text-nowrap\">(2026-11-2\d)</td>", ops.get(f"/jobs/{query}").content.decode())

    assert dates("") == ["2026-11-23", "2026-11-22", "2026-11-21"]
    assert dates("?status=failed") == ["2026-11-22"]
    assert dates("?name=system.selftest&sort=date") == ["2026-11-21", "2026-11-22"]
    assert dates("?date_from=2026-11-22&date_to=2026-11-22") == ["2026-11-22"]
    assert dates("?sort=-date&page_size=20") == ["2026-11-23", "2026-11-22", "2026-11-21"]
    bad = ops.get("/jobs/?date_from=someday")
    assert bad.status_code == 200 and "Enter a valid date." in bad.content.decode()


@pytest.mark.django_db
def test_run_now_starts_a_run_and_flashes_refusals(ops):
    response = ops.post("/jobs/start/", {"name": "system.selftest", "business_date": "2026-11-23"})
    started = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/runs/{started.pk}/"
    assert started.triggered_by.username == "ops" and started.status == "pending"
    execute_run(started.pk)
    again = ops.post("/jobs/start/", {"name": "system.selftest", "business_date": "2026-11-23"}, follow=True)
    assert again.status_code == 200
    assert "This job has already completed for that business date." in again.content.decode()
    bad = ops.post("/jobs/start/", {"name": "system.selftest", "business_date": "someday"}, follow=True)
    assert bad.status_code == 200
    assert "The job was not started: Enter a valid date." in bad.content.decode()
    unknown = ops.post("/jobs/start/", {"name": "nope", "business_date": "2026-11-23"}, follow=True)
    assert "The job was not started: Select a valid choice." in unknown.content.decode()
    assert JobRun.objects.count() == 1 and JobRun.objects.get().attempt == 1


@pytest.mark.django_db
def test_sales_agents_cannot_see_or_start_jobs(agent):
    done = run(status="succeeded")
    assert agent.get("/jobs/").status_code == 403
    assert agent.get(f"/jobs/runs/{done.pk}/").status_code == 403
    assert agent.post("/jobs/start/", {"name": "system.selftest", "business_date": "2026-11-24"}).status_code == 403
    assert JobRun.objects.count() == 1


@pytest.mark.django_db
def test_viewers_without_the_run_permission_see_no_run_button(org):
    user = make_user("viewer", unit=org.hq)
    user.user_permissions.add(Permission.objects.get(codename="view_jobrun", content_type__app_label="jobs"))
    client = english(user)
    html = client.get("/jobs/").content.decode()
    assert "Registered jobs" in html and "Run now" not in html
    assert client.post("/jobs/start/", {"name": "system.selftest", "business_date": "2026-11-23"}).status_code == 403
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/jobs/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def api(org) -> tuple[Client, dict[str, str]]:
    admin = make_user("boss", role="administrator", unit=org.hq)
    _t, secret = account_services.api_token_create(actor=admin, user_id=admin.pk, name="ops", scopes=["*"])
    return english(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post_json(client: Client, url: str, body: dict, **extra) -> object:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


@pytest.mark.django_db
def test_api_lists_jobs_and_starts_and_reads_runs(api):
    client, auth = api
    jobs = {job["name"]: job for job in client.get("/api/v1/jobs/", **auth).json()}
    assert jobs["housekeeping.prune_task_results"]["schedule"] == "Daily at 03:00"
    assert jobs["housekeeping.prune_task_results"]["rerunnable"] is True
    assert jobs["system.selftest"]["label"] == "Self-test (counts records in batches)"
    started = post_json(client, "/api/v1/jobs/runs", {"name": "system.selftest", "business_date": "2026-11-23"}, **auth)
    assert started.status_code == 202
    body = started.json()
    assert (body["status"], body["business_date"], body["attempt"], body["percent"]) == ("pending", "2026-11-23", 1, 0)
    execute_run(body["id"])
    listed = client.get("/api/v1/jobs/runs?status=succeeded&name=system.selftest", **auth).json()
    assert listed["count"] == 1 and listed["items"][0]["processed"] == 10000 and "log" not in listed["items"][0]
    assert client.get("/api/v1/jobs/runs?status=failed", **auth).json()["count"] == 0
    detail = client.get(f"/api/v1/jobs/runs/{body['id']}", **auth).json()
    assert detail["progress"] == 1.0 and "counted from 0 to 10000" in detail["log"]


@pytest.mark.django_db
def test_api_errors_have_one_shape(api):
    client, auth = api
    unknown = post_json(client, "/api/v1/jobs/runs", {"name": "nope"}, **auth)
    assert unknown.status_code == 400
    assert unknown.json() == {"code": "validation_error", "message": unknown.json()["message"], "fields": {
        "name": ["Unknown job."]
    }}  # fmt: skip
    post_json(client, "/api/v1/jobs/runs", {"name": "system.selftest", "business_date": "2026-11-23"}, **auth)
    busy = post_json(client, "/api/v1/jobs/runs", {"name": "system.selftest", "business_date": "2026-11-23"}, **auth)
    assert busy.status_code == 409
    assert busy.json() == {"code": "job_running", "message": "This job is queued or running now.", "fields": {}}
    bad_date = post_json(client, "/api/v1/jobs/runs", {"name": "system.selftest", "business_date": "soon"}, **auth)
    assert bad_date.status_code == 422 and bad_date.json()["code"] == "validation_error"
    assert "business_date" in bad_date.json()["fields"]
    missing = client.get("/api/v1/jobs/runs/999999", **auth)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/v1/jobs/runs?status=weird", **auth).status_code == 422


@pytest.mark.django_db
def test_api_refuses_users_without_permission(agent):
    for response in (
        agent.get("/api/v1/jobs/"),
        agent.get("/api/v1/jobs/runs"),
        post_json(agent, "/api/v1/jobs/runs", {"name": "system.selftest"}),
    ):
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": "You do not have permission to do this.",
            "fields": {},
        }
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_api_start_needs_a_full_scope_token(org):
    admin = make_user("boss", role="administrator", unit=org.hq)
    _t, secret = account_services.api_token_create(actor=admin, user_id=admin.pk, name="ro", scopes=["read"])
    client = english()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/jobs/runs", **auth).status_code == 200
    assert post_json(client, "/api/v1/jobs/runs", {"name": "system.selftest"}, **auth).status_code == 403
    assert not JobRun.objects.exists()
