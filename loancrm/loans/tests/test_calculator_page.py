"""The staff calculator page: sign-in and permission, the htmx schedule table and chart, errors beside the fields."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from loancrm.accounts.roles import ROLES
from loancrm.accounts.tests.factories import make_user
from loancrm.core import services
from loancrm.core.testing.access import assert_scoped, users_by_role

pytestmark = pytest.mark.django_db
URL = "/loans/calculator/"
FORM = {"principal": "100000.00", "annual_rate": "6", "term_months": "12", "method": "equal_installment",
        "start_date": "2026-01-15", "term_days": ""}  # fmt: skip
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(org):
    return users_by_role(org.bj_team1)["sales_agent"]


@pytest.fixture
def client(staff):
    client = Client()
    client.force_login(staff)
    return client


def submit(client: Client, **change: str) -> Any:
    return client.post(URL, {**FORM, **change}, **HTMX)


def rows(html: str) -> list[list[str]]:
    """The schedule table's body rows as cell texts."""
    body = re.search(r'data-testid="schedule-table".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, "no schedule table"
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S)]


def totals(html: str) -> list[str]:
    row = re.search(r'data-testid="schedule-totals">(.*?)</tr>', html, re.S)
    assert row, "no totals row"
    return re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)


def chart(html: str) -> dict[str, Any]:
    source = re.search(r'<script id="calculator-chart-options" type="application/json">(.*?)</script>', html, re.S)
    assert source, "no chart options"
    return json.loads(source[1])


def field_errors(html: str, name: str) -> list[str]:
    """The messages shown under the input ``name`` (each field partial is one ``mb-3`` block)."""
    for block in html.split('<div class="mb-3">')[1:]:
        if f'name="{name}"' in block:
            return re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block)
    raise AssertionError(f"no field {name}")


def test_every_role_may_open_it_and_users_without_a_role_or_visitors_may_not(org):
    users = users_by_role(org.bj_team1)
    nobody = make_user("no_roles", unit=org.bj_team1)
    assert_scoped(URL, allowed=[users[role.code] for role in ROLES], no_permission=[nobody])
    assert_scoped(URL, method="post", data=FORM, htmx=True, allowed=[users["collector"]], no_permission=[nobody])


def test_the_empty_form_starts_on_the_business_date_and_shows_in_the_sidebar(client):
    services.business_date_initialise(date=dt.date(2026, 11, 23), actor=None)
    html = client.get(URL).content.decode()
    assert 'value="2026-11-23"' in html and 'name="start_date"' in html
    assert 'data-testid="calculator-empty"' in html
    assert 'data-nav="loan_calculator"' in html
    assert "vendor/echarts/echarts.min.js" in html and "loans/calculator.js" in html


def test_reference_schedule_as_an_htmx_fragment(client):
    response = submit(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    table = rows(html)
    assert len(table) == 12
    assert table[0] == ["1", "2026-02-15", "8,106.64", "500.00", "8,606.64", "91,893.36"]
    assert [row[4] for row in table] == ["8,606.64"] * 11 + ["8,606.69"]
    assert table[-1][5] == "0.00"
    assert totals(html)[1:5] == ["100,000.00", "3,279.73", "103,279.73", ""]


def test_the_chart_stacks_principal_and_interest_per_period(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    options = chart(submit(client).content.decode())
    assert options["xAxis"]["data"] == [str(period) for period in range(1, 13)]
    principal, interest = options["series"]
    assert (principal["stack"], interest["stack"], principal["type"]) == ("payment", "payment", "bar")
    assert principal["data"][0] == "8106.64" and interest["data"][0] == "500.00"
    assert (principal["name"], interest["name"], options["xAxis"]["name"]) == ("Principal", "Interest", "Period")
    assert "dataZoom" not in options


def test_long_schedules_get_a_zoom_and_the_rate_is_in_percent(client):
    html = submit(client, principal="1000000.00", annual_rate="4.9", term_months="360").content.decode()
    table = rows(html)
    assert len(table) == 360
    assert {row[4] for row in table[:-1]} == {"5,307.27"}
    assert "dataZoom" in chart(html)


def test_bullet_in_days(client):
    html = submit(client, principal="50000.00", annual_rate="7.2", method="bullet", term_months="",
                  term_days="90").content.decode()  # fmt: skip
    assert rows(html) == [["1", "2026-04-15", "50,000.00", "900.00", "50,900.00", "0.00"]]


def test_without_htmx_the_whole_page_comes_back(client):
    response = client.post(URL, FORM)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert totals(html)[2] == "3,279.73"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"principal": "0"}, "principal", "Enter a principal greater than zero, such as 100000.00."),
        ({"principal": "1.234"}, "principal", "Enter the principal in yuan with at most two decimal places."),
        ({"annual_rate": "120"}, "annual_rate", "Enter an annual rate from 0 to 100, such as 6 or 4.35."),
        ({"annual_rate": "4.12345"}, "annual_rate", "Enter a rate with at most 4 decimal places."),
        ({"term_months": "601"}, "term_months", "Enter a term from 1 to 600 months."),
        ({"term_months": "1.5"}, "term_months", "Enter a term from 1 to 600 months."),
        ({"start_date": "2026-13-01"}, "start_date", "Enter a valid date (YYYY-MM-DD)."),
        ({"term_days": "30"}, "term_days", "A term in days applies to the bullet method only."),
    ],
)
def test_errors_appear_beside_their_field_in_english(client, change, field, message):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = submit(client, **change)
    html = response.content.decode()
    assert response.status_code == 422
    assert field_errors(html, field) == [message]
    assert "is-invalid" in re.search(rf'<input[^>]*name="{field}"[^>]*>', html)[0]
    assert 'data-testid="schedule-table"' not in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"principal": ""}, "principal", "这个字段是必填项。"),
        ({"start_date": ""}, "start_date", "这个字段是必填项。"),
        ({"principal": "99999999999999999"}, "principal", "数值超出允许范围。"),
    ],
)
def test_errors_are_chinese_by_default(client, change, field, message):
    response = submit(client, **change)
    assert response.status_code == 422
    assert field_errors(response.content.decode(), field) == [message]


def test_an_unknown_method_is_shown_on_the_select(client):
    html = submit(client, method="balloon").content.decode()
    assert field_errors(html, "method") == ["请选择允许的值之一。"]


def test_the_page_keeps_what_was_typed_after_an_error(client):
    html = submit(client, principal="100,000.00", annual_rate="abc").content.decode()
    assert 'value="100,000.00"' in html and 'value="abc"' in html
