"""Business date and calendar API: answers, permissions, and the error shape {"code", "message", "fields"}."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from loancrm.accounts import services as account_services
from loancrm.accounts.models import User
from loancrm.core import services
from loancrm.core.business_date import current_business_date
from loancrm.core.models import AuditEvent, CalendarDay

D = dt.date
pytestmark = pytest.mark.django_db
INVALID = "Some fields are invalid."


def user_with(username: str, *, group: str | None = None, perms: tuple[str, ...] = ()) -> User:
    user = User.objects.create_user(username, "pw-long-enough-1", full_name=username)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)


class Api:
    """A signed-in JSON client asking for English messages."""

    def __init__(self, user: User | None, **headers: str):
        self.client = Client()
        if user is not None:
            self.client.force_login(user)
        self.headers = {"HTTP_ACCEPT_LANGUAGE": "en", **headers}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1/calendar{path}", **self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1/calendar{path}", **self.headers)

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        call = getattr(self.client, method)
        return call(f"/api/v1/calendar{path}", json.dumps(body), content_type="application/json", **self.headers)


@pytest.fixture(autouse=True)
def business_date():
    return services.business_date_initialise(date=D(2026, 11, 23), actor=None)


@pytest.fixture
def agent():
    return Api(user_with("agent", group="role:sales_agent"))


@pytest.fixture
def ops():
    return Api(user_with("ops", group="role:operations"))


@pytest.fixture
def admin():
    return Api(user_with("boss", group="role:operations", perms=("core.change_businessdate",)))


def nothing_written(audit_before: int) -> bool:
    return current_business_date() == D(2026, 11, 23) and AuditEvent.objects.count() == audit_before


# The business date


def test_any_signed_in_user_reads_the_business_date(agent):
    response = agent.get("/business-date")
    assert (response.status_code, response.json()) == (200, {"business_date": "2026-11-23"})
    anonymous = Api(None).get("/business-date")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"code": "unauthenticated", "message": "Authentication required.", "fields": {}}


def test_an_administrator_sets_the_business_date(admin):
    response = admin.send("put", "/business-date", {"date": "2026-11-24", "reason": "补录"})
    assert (response.status_code, response.json()) == (200, {"business_date": "2026-11-24"})
    event = AuditEvent.objects.get(action="business_date.set")
    assert (event.data["from"], event.data["to"], event.data["reason"]) == ("2026-11-23", "2026-11-24", "补录")


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"date": "2026-11-24"}, 422, {"code": "validation_error", "fields": {"reason": ["This field is required."]}}),
        (
            {"date": "2026-11-24", "reason": ""},
            422,
            {"code": "validation_error", "fields": {"reason": ["At least 1 characters."]}},
        ),
        (
            {"date": "2026-11-24", "reason": "  "},
            400,
            {"code": "validation_error", "fields": {"reason": ["Give a reason for changing the business date."]}},
        ),
        (
            {"date": "24/11/2026", "reason": "x"},
            422,
            {"code": "validation_error", "fields": {"date": ["Enter a valid value."]}},
        ),
        (
            {"date": "2028-01-01", "reason": "x"},
            400,
            {
                "code": "validation_error",
                "fields": {"date": ["The business date can move at most 366 days at a time."]},
            },
        ),
    ],
)
def test_bad_business_dates_are_refused_with_the_error_shape(admin, body, status, expected):
    before = AuditEvent.objects.count()
    response = admin.send("put", "/business-date", body)
    assert response.status_code == status
    assert response.json() == {**expected, "message": INVALID}
    assert nothing_written(before)


def test_setting_the_same_date_is_a_conflict(admin):
    before = AuditEvent.objects.count()
    response = admin.send("put", "/business-date", {"date": "2026-11-23", "reason": "x"})
    assert response.status_code == 409
    assert response.json() == {"code": "conflict", "message": "The business date is already 2026-11-23.", "fields": {}}
    assert nothing_written(before)


def test_setting_the_date_needs_the_permission_even_with_a_bad_body(ops):
    before = AuditEvent.objects.count()
    for body in ({"date": "2026-11-24", "reason": "x"}, {"date": "garbage"}):
        response = ops.send("put", "/business-date", body)
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": "You do not have permission to do this.",
            "fields": {},
        }
    assert current_business_date() == D(2026, 11, 23)
    denials = AuditEvent.objects.filter(action="auth.permission_denied").count()
    assert denials == 2 and AuditEvent.objects.count() == before + denials  # only the refusals are audited


# Calendar entries


def test_listing_a_years_entries_is_paginated_and_filtered(agent):
    services.calendar_import_year(year=2026, actor=None)
    services.calendar_import_year(year=2025, actor=None)
    page = agent.get("/days?year=2026&page_size=5").json()
    assert (page["count"], page["page"], page["page_size"]) == (39, 1, 5)
    assert [item["date"] for item in page["items"]] == [
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
        "2026-01-04",
        "2026-02-14",
    ]
    assert page["items"][3]["kind"] == "workday" and set(page["items"][3]) == {"id", "date", "kind", "name"}
    workdays = agent.get("/days?year=2025&kind=workday").json()
    assert [item["date"] for item in workdays["items"]] == [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ]
    assert agent.get("/days").json()["count"] == 39  # the business date's year


@pytest.mark.parametrize(("query", "field"), [("year=1999", "year"), ("year=abc", "year"), ("kind=bridge", "kind")])
def test_bad_list_filters_are_422(agent, query, field):
    response = agent.get(f"/days?{query}")
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"], list(body["fields"])) == ("validation_error", INVALID, [field])


def test_adding_and_removing_an_entry(ops):
    created = ops.send("post", "/days", {"date": "2026-11-24", "kind": "holiday", "name": "司庆"})
    assert created.status_code == 201
    day = CalendarDay.objects.get()
    assert created.json() == {"id": day.pk, "date": "2026-11-24", "kind": "holiday", "name": "司庆"}
    assert ops.delete(f"/days/{day.pk}").status_code == 204
    assert not CalendarDay.objects.exists()
    missing = ops.delete(f"/days/{day.pk}")
    assert (missing.status_code, missing.json()) == (404, {"code": "not_found", "message": "Not found.", "fields": {}})
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="calendar.").order_by("id")] == [
        "calendar.day_added",
        "calendar.day_removed",
    ]


def test_a_duplicate_date_is_409(ops):
    ops.send("post", "/days", {"date": "2026-11-24", "kind": "holiday", "name": "司庆"})
    before = AuditEvent.objects.count()
    response = ops.send("post", "/days", {"date": "2026-11-24", "kind": "holiday", "name": "again"})
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "message": "2026-11-24 is already in the calendar; remove that entry first.",
        "fields": {},
    }
    assert CalendarDay.objects.count() == 1 and AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        (
            {"date": "2026-11-25", "kind": "workday", "name": "x"},
            400,
            {"kind": ["Only a Saturday or Sunday can be an adjusted working day."]},
        ),
        ({"date": "2026-11-28", "kind": "bridge", "name": "x"}, 422, {"kind": ["Choose one of the allowed values."]}),
        ({"date": "2026-11-28", "kind": "workday", "name": ""}, 422, {"name": ["At least 1 characters."]}),
        ({"date": "2026-11-28", "kind": "workday", "name": "   "}, 400, {"name": ["This field is required."]}),
        ({"date": "2026-11-28", "kind": "workday", "name": "x" * 61}, 422, {"name": ["At most 60 characters."]}),
        ({"kind": "workday", "name": "x"}, 422, {"date": ["This field is required."]}),
    ],
)
def test_bad_entries_are_refused_with_the_error_shape(ops, body, status, fields):
    response = ops.send("post", "/days", body)
    assert response.status_code == status
    assert response.json() == {"code": "validation_error", "message": INVALID, "fields": fields}
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


def test_changing_entries_needs_manage_calendar(agent):
    day = CalendarDay.objects.create(date=D(2026, 11, 24), kind="holiday", name="A")
    assert agent.send("post", "/days", {"date": "2026-11-25", "kind": "holiday", "name": "B"}).status_code == 403
    assert agent.delete(f"/days/{day.pk}").status_code == 403
    assert list(CalendarDay.objects.values_list("name", flat=True)) == ["A"]


# Working days


@pytest.mark.parametrize(
    ("day", "working", "following"),
    [
        ("2026-02-13", True, "2026-02-14"),
        ("2026-02-14", True, "2026-02-24"),
        ("2026-02-18", False, "2026-02-24"),
        ("2026-12-31", True, "2027-01-01"),
    ],
)
def test_working_day(agent, day, working, following):
    services.calendar_import_year(year=2026, actor=None)
    response = agent.get(f"/working-day?date={day}")
    assert response.json() == {"date": day, "is_working_day": working, "next_working_day": following}


@pytest.mark.parametrize(("query", "status"), [("date=2026-02-30", 422), ("", 422), ("date=9999-12-31", 400)])
def test_bad_working_day_queries(agent, query, status):
    response = agent.get(f"/working-day?{query}")
    assert response.status_code == status
    body = response.json()
    assert (body["code"], body["message"], list(body["fields"])) == ("validation_error", INVALID, ["date"])


# Tokens


def test_a_read_only_token_reads_but_cannot_write():
    owner = user_with("boss2", group="role:operations", perms=("core.change_businessdate", "accounts.manage_tokens"))
    _token, secret = account_services.api_token_create(actor=owner, user_id=owner.pk, name="ro", scopes=["read"])
    api = Api(None, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/business-date").json() == {"business_date": "2026-11-23"}
    assert api.get("/working-day?date=2026-11-23").status_code == 200
    assert api.send("put", "/business-date", {"date": "2026-11-24", "reason": "x"}).status_code == 403
    assert api.send("post", "/days", {"date": "2026-11-24", "kind": "holiday", "name": "x"}).status_code == 403
    assert current_business_date() == D(2026, 11, 23) and not CalendarDay.objects.exists()
