"""The business-calendar page: who sees it, the month grid, the exceptions table, and its forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client

from loancrm.accounts.models import User
from loancrm.core import services
from loancrm.core.business_date import current_business_date
from loancrm.core.models import AuditEvent, CalendarDay

D = dt.date
pytestmark = pytest.mark.django_db


def user_with(username: str, *, group: str | None = None, perms: tuple[str, ...] = ()) -> User:
    user = User.objects.create_user(username, "pw-long-enough-1", full_name=username)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)


def client_for(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture(autouse=True)
def business_date():
    return services.business_date_initialise(date=D(2026, 2, 13), actor=None)


@pytest.fixture
def ops():
    return client_for(user_with("ops", group="role:operations"))


@pytest.fixture
def admin():
    """Operations plus the right to set the business date (built-in administrators hold both)."""
    return client_for(user_with("boss", group="role:operations", perms=("core.change_businessdate",)))


@pytest.fixture
def holidays_2026():
    services.calendar_import_year(year=2026, actor=None)


def cell(html: str, day: str) -> str:
    match = re.search(rf'<td[^>]*data-date="{day}"[^>]*>', html)
    assert match, day
    return match.group(0)


def cell_and_name(html: str, day: str) -> str:
    start = html.index(cell(html, day))
    return html[start : html.index("</td>", start)]


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-date="([\d-]+)">', html)


# Access


def test_operations_see_the_page_and_sales_agents_get_403(holidays_2026):
    page = client_for(user_with("ops2", group="role:operations"), "zh-hans").get("/calendar/")
    assert page.status_code == 200
    assert "营业日历" in page.content.decode()
    agent = client_for(user_with("agent", group="role:sales_agent"))
    assert agent.get("/calendar/").status_code == 403
    assert agent.get("/calendar/?part=month", HTTP_HX_REQUEST="true").status_code == 403
    anonymous = Client().get("/calendar/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_the_sidebar_links_the_page_for_operations_only():
    assert 'data-nav="calendar"' in client_for(user_with("ops3", group="role:operations")).get("/").content.decode()
    assert 'data-nav="calendar"' not in client_for(user_with("a2", group="role:sales_agent")).get("/").content.decode()


# The page


def test_page_shows_the_business_date_grid_legend_and_exceptions(ops, holidays_2026):
    html = ops.get("/calendar/").content.decode()
    assert re.search(r'data-testid="current-business-date">2026-02-13<', html)
    assert 'data-testid="month-title">2026-02<' in html
    legend = html[html.index('data-testid="legend"') :]
    for label in ("Holiday", "Weekend", "Adjusted working day", "Business date"):
        assert label in legend[:800]
    assert 'data-business-date="1"' in cell(html, "2026-02-13")
    assert 'data-kind="workday"' in cell(html, "2026-02-14")
    assert 'data-kind="holiday"' in cell(html, "2026-02-15")
    assert 'data-kind="holiday"' in cell(html, "2026-02-18")
    assert 'data-kind="weekend"' in cell(html, "2026-03-01")
    assert 'data-kind=""' in cell(html, "2026-02-24")
    assert CalendarDay.objects.get(date=D(2026, 2, 15)).name in cell_and_name(html, "2026-02-15")
    assert rows(html)[:3] == ["2026-01-01", "2026-01-02", "2026-01-03"] and len(rows(html)) == 20
    assert "Import official holidays for 2026" in html and "Import official holidays for 2025" in html
    assert 'data-testid="business-date-form"' not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline scripts"


def test_month_navigation_is_an_htmx_fragment_with_the_year_table(ops, holidays_2026):
    response = ops.get("/calendar/?year=2026&month=12&part=month", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-testid="month-title">2026-12<' in html
    assert 'hx-swap-oob="true"' in html and len(rows(html)) == 20
    assert 'href="/calendar/?year=2027&amp;month=1"' in html
    assert 'hx-get="/calendar/?year=2026&amp;month=11&amp;part=month"' in html
    january = ops.get("/calendar/?year=2027&month=1&part=month", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="month-title">2027-01<' in january and rows(january) == []
    assert 'href="/calendar/?year=2026&amp;month=12"' in january


@pytest.mark.parametrize("query", ["year=abc&month=2", "year=2026&month=13", "year=1800&month=1", "month="])
def test_bad_month_parameters_show_the_business_date_month(ops, query):
    response = ops.get(f"/calendar/?{query}")
    assert response.status_code == 200
    assert 'data-testid="month-title">2026-02<' in response.content.decode()


def test_the_exceptions_table_filters_by_kind_and_sorts(ops, holidays_2026):
    workdays = rows(ops.get("/calendar/?year=2026&month=2&kind=workday").content.decode())
    assert workdays == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    newest_first = rows(ops.get("/calendar/?year=2026&kind=workday&sort=-date").content.decode())
    assert newest_first == list(reversed(workdays))
    unknown = rows(ops.get("/calendar/?year=2026&kind=nonsense&sort=secret").content.decode())
    assert unknown[0] == "2026-01-01" and len(unknown) == 20


# Adding and removing entries


def test_adding_an_entry(ops):
    response = ops.post("/calendar/days/", {"date": "2026-11-24", "kind": "holiday", "name": "司庆"})
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2026&month=11"
    day = CalendarDay.objects.get()
    assert (day.date, day.kind, day.name) == (D(2026, 11, 24), "holiday", "司庆")
    assert AuditEvent.objects.filter(action="calendar.day_added", target_id=str(day.pk)).count() == 1


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"date": "2026-11-25", "kind": "workday", "name": "x"}, 400, "Only a Saturday or Sunday"),
        ({"date": "not-a-date", "kind": "holiday", "name": "x"}, 400, "Enter a valid date."),
        ({"date": "2026-11-24", "kind": "holiday", "name": ""}, 400, "This field is required."),
        ({"date": "2026-11-24", "kind": "bridge", "name": "x"}, 400, "Select a valid choice."),
        ({"date": "2026-02-15", "kind": "holiday", "name": "dup"}, 409, "2026-02-15 is already in the calendar"),
    ],
)
def test_invalid_entries_are_shown_inline_and_write_nothing(ops, holidays_2026, data, status, message):
    before = (CalendarDay.objects.count(), AuditEvent.objects.count())
    response = ops.post("/calendar/days/", data)
    html = response.content.decode()
    assert response.status_code == status
    assert message in html
    assert "is-invalid" in html or 'data-testid="form-error"' in html
    assert (CalendarDay.objects.count(), AuditEvent.objects.count()) == before


def test_errors_follow_the_users_language():
    chinese = client_for(user_with("ops4", group="role:operations"), "zh-hans")
    response = chinese.post("/calendar/days/", {"date": "2026-11-25", "kind": "workday", "name": "x"})
    assert response.status_code == 400
    assert "只有周六或周日可以设为调休上班日" in response.content.decode()


def test_removing_an_entry_asks_for_confirmation_and_is_audited(ops):
    day = services.calendar_day_add(date=D(2026, 2, 20), kind="holiday", name="司庆", actor=None)
    html = ops.get("/calendar/").content.decode()
    button = re.search(rf'action="/calendar/days/{day.pk}/remove/">.*?<button[^>]*>', html, re.S)
    assert button and 'data-confirm="Remove the calendar entry of 2026-02-20?"' in button.group(0)
    assert ops.get(f"/calendar/days/{day.pk}/remove/").status_code == 405
    response = ops.post(f"/calendar/days/{day.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2026&month=2"
    assert not CalendarDay.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.day_removed").count() == 1


def test_removing_a_missing_entry_is_404_and_writes_nothing(ops):
    before = AuditEvent.objects.count()
    response = ops.post("/calendar/days/999999/remove/")
    assert response.status_code == 404 and "Not found." in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_users_without_manage_calendar_cannot_write():
    viewer = client_for(user_with("viewer", perms=("core.view_calendarday",)))
    html = viewer.get("/calendar/").content.decode()
    assert 'data-testid="day-form"' not in html and "Import official holidays" not in html
    assert viewer.post("/calendar/days/", {"date": "2026-11-24", "kind": "holiday", "name": "x"}).status_code == 403
    assert viewer.post("/calendar/import/", {"year": "2026"}).status_code == 403
    assert not CalendarDay.objects.exists()


# Importing the official arrangement


def test_importing_the_official_arrangement(ops):
    response = ops.post("/calendar/import/", {"year": "2026"}, follow=True)
    assert response.redirect_chain == [("/calendar/?year=2026&month=1", 302)]
    assert "Official arrangement of 2026 imported: 39 added, 0 already present." in response.content.decode()
    again = ops.post("/calendar/import/", {"year": "2026"}, follow=True)
    assert "0 added, 39 already present." in again.content.decode()
    assert CalendarDay.objects.count() == 39


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("1999", "Choose a year with an official arrangement on file."),
        ("", "Choose a year with an official arrangement on file."),
        ("2030", "No official arrangement is on file for 2030."),
    ],
)
def test_importing_an_unknown_year_is_refused(ops, year, message):
    response = ops.post("/calendar/import/", {"year": year})
    assert response.status_code == 400 and message in response.content.decode()
    assert not CalendarDay.objects.exists()


# Setting the business date


def test_administrators_set_the_business_date(admin):
    html = admin.get("/calendar/").content.decode()
    form = html[html.index('data-testid="business-date-form"') :]
    assert 'name="date"' in form and 'name="reason"' in form and "data-confirm=" in form
    response = admin.post("/calendar/business-date/", {"date": "2026-02-24", "reason": "节后补录"})
    assert response.status_code == 302
    assert current_business_date() == D(2026, 2, 24)
    assert AuditEvent.objects.get(action="business_date.set").data["reason"] == "节后补录"


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"date": "2026-02-24", "reason": ""}, 400, "This field is required."),
        ({"date": "2026-02-24", "reason": "   "}, 400, "This field is required."),
        ({"date": "", "reason": "x"}, 400, "This field is required."),
        ({"date": "2026-13-01", "reason": "x"}, 400, "Enter a valid date."),
        ({"date": "2028-01-01", "reason": "x"}, 400, "The business date can move at most 366 days at a time."),
        ({"date": "2026-02-13", "reason": "x"}, 409, "The business date is already 2026-02-13."),
    ],
)
def test_invalid_business_date_changes_are_refused_inline(admin, data, status, message):
    before = AuditEvent.objects.count()
    response = admin.post("/calendar/business-date/", data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert current_business_date() == D(2026, 2, 13)
    assert AuditEvent.objects.count() == before


def test_operations_cannot_set_the_business_date(ops):
    assert ops.post("/calendar/business-date/", {"date": "2026-02-24", "reason": "x"}).status_code == 403
    assert current_business_date() == D(2026, 2, 13)
    assert not AuditEvent.objects.filter(action="business_date.set").exists()
