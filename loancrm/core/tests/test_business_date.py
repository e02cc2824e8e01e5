"""The business date: read, set by administrators with a reason, advanced only forward; all audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from loancrm.accounts import services as account_services
from loancrm.accounts.tests.factories import make_user
from loancrm.core import services
from loancrm.core.business_date import current_business_date, is_working_day, next_working_day
from loancrm.core.errors import Conflict, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent, BusinessDate, CalendarDay

D = dt.date


@pytest.fixture
def initialised(db):
    return services.business_date_initialise(date=D(2026, 11, 23))


def test_command_prints_exactly_the_date(initialised, capsys):
    call_command("business_date")
    assert capsys.readouterr().out == "2026-11-23\n"


def test_command_sets_with_a_reason_and_refuses_without(initialised, capsys):
    with pytest.raises(CommandError):
        call_command("business_date", "--set", "2026-11-24")
    assert current_business_date() == D(2026, 11, 23)
    call_command("business_date", "--set", "2026-11-24", "--reason", "系统切换")
    assert capsys.readouterr().out.strip().endswith("2026-11-24")
    event = AuditEvent.objects.get(action="business_date.set")
    assert event.data == {"before": "2026-11-23", "after": "2026-11-24", "reason": "系统切换"}


def test_admin_sets_the_date_and_others_are_refused_without_writing(org, initialised):
    admin = make_user("boss", role="administrator", unit=org.hq)
    ops = make_user("ops", role="operations", unit=org.hq)
    with pytest.raises(PermissionDenied):
        services.business_date_set(new_date=D(2026, 11, 25), actor=ops, reason="x")
    with pytest.raises(ValidationFailed):
        services.business_date_set(new_date=D(2026, 11, 25), actor=admin, reason="  ")
    with pytest.raises(ValidationFailed):
        services.business_date_set(new_date=D(2028, 1, 1), actor=admin, reason="too far")
    assert current_business_date() == D(2026, 11, 23)
    assert not AuditEvent.objects.filter(action="business_date.set").exists()
    services.business_date_set(new_date=D(2026, 11, 25), actor=admin, reason="补跑")
    assert current_business_date() == D(2026, 11, 25)


def test_advance_moves_only_forward(initialised):
    services.business_date_advance(to_date=D(2026, 11, 24))
    with pytest.raises(Conflict):
        services.business_date_advance(to_date=D(2026, 11, 24))
    with pytest.raises(Conflict):
        services.business_date_advance(to_date=D(2026, 11, 1))
    assert BusinessDate.objects.get().current == D(2026, 11, 24)
    assert AuditEvent.objects.filter(action="business_date.advanced").count() == 1


def test_unset_business_date_reads_as_today(db):
    from django.utils import timezone

    assert current_business_date() == timezone.localdate()


def test_calendar_entries_change_working_days(db):
    services.calendar_day_add(date=D(2026, 11, 24), kind="holiday", name="公司周年", actor=None)
    services.calendar_day_add(date=D(2026, 11, 28), kind="workday", name="调休", actor=None)
    assert not is_working_day(D(2026, 11, 24)) and is_working_day(D(2026, 11, 28))
    assert next_working_day(D(2026, 11, 23)) == D(2026, 11, 25)


def test_duplicate_dates_and_weekday_workdays_are_refused(db):
    services.calendar_day_add(date=D(2026, 11, 24), kind="holiday", name="A", actor=None)
    with pytest.raises(Conflict) as info:
        services.calendar_day_add(date=D(2026, 11, 24), kind="holiday", name="B", actor=None)
    assert "2026-11-24" in str(info.value.message)
    with pytest.raises(ValidationFailed):
        services.calendar_day_add(date=D(2026, 11, 25), kind="workday", name="C", actor=None)
    assert CalendarDay.objects.count() == 1


def test_import_is_idempotent(db):
    first = services.calendar_import_year(year=2026, actor=None)
    second = services.calendar_import_year(year=2026, actor=None)
    assert first == {"added": 39, "skipped": 0} and second == {"added": 0, "skipped": 39}
    assert CalendarDay.objects.filter(kind="workday").count() == 6
    with pytest.raises(ValidationFailed):
        services.calendar_import_year(year=1999, actor=None)


def test_calendar_page_for_operations_and_403_for_sales(org, initialised):
    services.calendar_import_year(year=2026, actor=None)
    ops, agent = Client(), Client()
    ops.force_login(make_user("ops", role="operations", unit=org.hq))
    agent.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    page = ops.get("/calendar/?year=2026&month=2")
    assert page.status_code == 200
    html = page.content.decode()
    assert "营业日历" in html and "春节" in html and 'data-date="2026-02-14" data-working="1"' in html
    assert "设置营业日" not in html
    fragment = ops.get("/calendar/?year=2026&month=3&part=month", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "2026-03" in fragment.content.decode()
    assert agent.get("/calendar/").status_code == 403


def test_calendar_forms_add_remove_and_refuse_bad_input(org, initialised):
    client = Client()
    client.force_login(make_user("ops", role="operations", unit=org.hq))
    bad = client.post("/calendar/days/", {"date": "2026-11-25", "kind": "workday", "name": "x"})
    assert bad.status_code == 400 and "只有周六或周日可以设为调休上班日" in bad.content.decode()
    assert client.post("/calendar/days/", {"date": "not-a-date", "kind": "holiday", "name": "x"}).status_code == 400
    assert not CalendarDay.objects.exists()
    assert client.post("/calendar/days/", {"date": "2026-11-24", "kind": "holiday", "name": "司庆"}).status_code == 302
    day = CalendarDay.objects.get()
    assert client.post(f"/calendar/days/{day.pk}/remove/").status_code == 302
    assert not CalendarDay.objects.exists()
    assert client.get(f"/calendar/days/{day.pk}/remove/").status_code == 405


def test_admin_sets_the_date_from_the_page(org, initialised):
    client = Client()
    client.force_login(make_user("boss", role="administrator", unit=org.hq))
    response = client.post("/calendar/business-date/", {"date": "2026-11-24", "reason": ""}, follow=True)
    assert "营业日未修改" in response.content.decode()
    client.post("/calendar/business-date/", {"date": "2026-11-24", "reason": "补录"})
    assert current_business_date() == D(2026, 11, 24)
    ops = Client()
    ops.force_login(make_user("ops", role="operations", unit=org.hq))
    assert ops.post("/calendar/business-date/", {"date": "2026-11-30", "reason": "x"}).status_code == 403


def test_calendar_api(org, initialised):
    admin = make_user("boss", role="administrator", unit=org.hq)
    _token, secret = account_services.api_token_create(actor=admin, user_id=admin.pk, name="t", scopes=["*"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    assert client.get("/api/v1/calendar/business-date", **auth).json() == {"business_date": "2026-11-23"}
    created = client.post(
        "/api/v1/calendar/days",
        json.dumps({"date": "2026-11-24", "kind": "holiday", "name": "司庆"}),
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    answer = client.get("/api/v1/calendar/working-day?date=2026-11-24", **auth).json()
    assert answer == {"date": "2026-11-24", "is_working_day": False, "next_working_day": "2026-11-25"}
    duplicate = client.post(
        "/api/v1/calendar/days",
        json.dumps({"date": "2026-11-24", "kind": "holiday", "name": "x"}),
        content_type="application/json",
        **auth,
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "conflict"
    bad = client.put(
        "/api/v1/calendar/business-date", json.dumps({"date": "2026-11-24"}), content_type="application/json", **auth
    )
    assert bad.status_code == 422 and "reason" in bad.json()["fields"]
    assert client.delete(f"/api/v1/calendar/days/{created.json()['id']}", **auth).status_code == 204
