"""POST /api/v1/calculator/schedule: exact schedules, every refusal in both languages, the per-address limit, and
no sign-in needed."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.test import Client

URL = "/api/v1/calculator/schedule"
REFERENCE = {"principal": "100000.00", "annual_rate": "0.06", "term_months": 12, "method": "equal_installment",
             "start_date": "2026-01-15"}  # fmt: skip
INVALID_ZH = "部分字段无效。"


def post(body: dict[str, Any], *, client: Client | None = None, **headers: str) -> Any:
    return (client or Client()).post(URL, json.dumps(body), content_type="application/json", **headers)


def calculate(**change: Any) -> dict[str, Any]:
    response = post({**REFERENCE, **change})
    assert response.status_code == 200, response.content
    return response.json()


def test_equal_instalment_reference_schedule():
    body = calculate()
    first, last = body["installments"][0], body["installments"][-1]
    assert first == {"period": 1, "due_date": "2026-02-15", "principal": "8106.64", "interest": "500.00",
                     "payment": "8606.64", "balance": "91893.36"}  # fmt: skip
    assert [row["payment"] for row in body["installments"]] == ["8606.64"] * 11 + ["8606.69"]
    assert (last["period"], last["due_date"], last["balance"]) == (12, "2027-01-15", "0.00")
    assert {key: body[key] for key in ("total_principal", "total_interest", "total_payment")} == {
        "total_principal": "100000.00", "total_interest": "3279.73", "total_payment": "103279.73",
    }  # fmt: skip


def test_a_whole_small_schedule():
    body = calculate(principal="1000", annual_rate="0", term_months=3, start_date="2026-01-31")
    assert body == {
        "installments": [
            {"period": 1, "due_date": "2026-02-28", "principal": "333.33", "interest": "0.00", "payment": "333.33",
             "balance": "666.67"},
            {"period": 2, "due_date": "2026-03-31", "principal": "333.33", "interest": "0.00", "payment": "333.33",
             "balance": "333.34"},
            {"period": 3, "due_date": "2026-04-30", "principal": "333.34", "interest": "0.00", "payment": "333.34",
             "balance": "0.00"},
        ],
        "total_principal": "1000.00",
        "total_interest": "0.00",
        "total_payment": "1000.00",
    }  # fmt: skip


def test_equal_principal_reference():
    body = calculate(method="equal_principal")
    assert body["installments"][-1]["payment"] == "8375.04"
    assert body["total_interest"] == "3250.00"


def test_interest_only_reference():
    body = calculate(principal="50000.00", annual_rate="0.072", term_months=6, method="interest_only")
    assert [row["payment"] for row in body["installments"]] == ["300.00"] * 5 + ["50300.00"]


def test_bullet_in_days_needs_no_months():
    body = post({"principal": "50000.00", "annual_rate": "0.072", "method": "bullet", "start_date": "2026-01-15",
                 "term_days": 90}).json()  # fmt: skip
    assert body["installments"] == [{"period": 1, "due_date": "2026-04-15", "principal": "50000.00",
                                     "interest": "900.00", "payment": "50900.00", "balance": "0.00"}]  # fmt: skip


def test_thirty_year_mortgage():
    body = calculate(principal="1000000.00", annual_rate="0.049", term_months=360)
    assert len(body["installments"]) == 360
    assert {row["payment"] for row in body["installments"][:-1]} == {"5307.27"}


def test_amounts_may_carry_thousands_separators():
    assert calculate(principal="100,000.00")["total_interest"] == "3279.73"


REFUSALS = [
    # change to the reference body, field, English message
    ({"principal": "0"}, "principal", "Enter a principal greater than zero, such as 100000.00."),
    ({"principal": "-100.00"}, "principal", "Enter a principal greater than zero, such as 100000.00."),
    ({"principal": "12abc"}, "principal", "Enter a principal greater than zero, such as 100000.00."),
    ({"principal": "1e5"}, "principal", "Enter a principal greater than zero, such as 100000.00."),
    ({"principal": "100.001"}, "principal", "Enter the principal in yuan with at most two decimal places."),
    ({"principal": "10000000000000000.00"}, "principal", "Value out of range."),
    ({"principal": 100000.0}, "principal", "Enter a valid value."),
    ({"principal": ""}, "principal", "This field is required."),
    ({"annual_rate": "-0.01"}, "annual_rate", "Enter an annual rate from 0 to 1, such as 0.06."),
    ({"annual_rate": "6"}, "annual_rate", "Enter an annual rate from 0 to 1, such as 0.06."),
    ({"annual_rate": "0.0612345"}, "annual_rate", "Enter a rate with at most 6 decimal places."),
    ({"annual_rate": 0.06}, "annual_rate", "Enter a valid value."),
    ({"term_months": 0}, "term_months", "Enter a term from 1 to 600 months."),
    ({"term_months": 601}, "term_months", "Enter a term from 1 to 600 months."),
    ({"term_months": None}, "term_months", "This field is required."),
    ({"term_months": "twelve"}, "term_months", "Enter a valid value."),
    ({"method": "balloon"}, "method", "Choose one of the allowed values."),
    ({"start_date": "2026-02-30"}, "start_date", "Enter a valid date (YYYY-MM-DD)."),
    ({"start_date": "15/01/2026"}, "start_date", "Enter a valid date (YYYY-MM-DD)."),
    ({"start_date": "9990-01-15"}, "start_date", "Value out of range."),
    ({"term_days": 90}, "term_days", "A term in days applies to the bullet method only."),
    ({"method": "bullet", "term_days": 90}, "term_days", "Give the term in months or in days, not both."),
    ({"method": "bullet", "term_months": None, "term_days": 0}, "term_days", "Enter a term from 1 to 18600 days."),
    ({"method": "bullet", "term_months": None}, "term_months", "This field is required."),
]


@pytest.mark.parametrize(("change", "field", "message"), REFUSALS)
def test_refusals_name_the_field_in_english(change, field, message):
    response = post({**REFERENCE, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json() == {"code": "validation_error", "message": "Some fields are invalid.",
                               "fields": {field: [message]}}  # fmt: skip


def test_a_missing_field_is_required():
    body = {key: value for key, value in REFERENCE.items() if key != "method"}
    response = post(body, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()["fields"]) == (422, {"method": ["This field is required."]})


def test_every_problem_is_listed_at_once():
    body = {"principal": "-1", "annual_rate": "2", "term_months": 0, "method": "equal_principal", "start_date": "x"}
    assert sorted(post(body).json()["fields"]) == ["annual_rate", "principal", "start_date", "term_months"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"principal": ""}, "principal", "这个字段是必填项。"),
        ({"principal": 100000.0}, "principal", "请输入有效的值。"),
        ({"method": "balloon"}, "method", "请选择允许的值之一。"),
        ({"principal": "10000000000000000.00"}, "principal", "数值超出允许范围。"),
    ],
)
def test_messages_are_chinese_by_default(change, field, message):
    response = post({**REFERENCE, **change})
    assert response.status_code == 422
    assert response.json() == {"code": "validation_error", "message": INVALID_ZH, "fields": {field: [message]}}


def test_no_sign_in_and_no_csrf_token_are_needed():
    response = post(REFERENCE, client=Client(enforce_csrf_checks=True))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_a_signed_in_browser_without_a_csrf_token_is_answered_too(user_factory):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_factory("browser"))
    assert post(REFERENCE, client=client).status_code == 200


def test_only_post_is_allowed():
    assert Client().get(URL).status_code == 405


@pytest.mark.parametrize("limit", [1, 3])
def test_the_limit_is_per_address_and_minute(settings, limit):
    settings.CALCULATOR_REQUESTS_PER_MINUTE = limit
    with mock.patch("loancrm.loans.calculator_api.time.time", return_value=1_800_000_000.0):
        answers = [post(REFERENCE).status_code for _ in range(limit)]
        refused = post({**REFERENCE, "principal": "-1"}, HTTP_ACCEPT_LANGUAGE="en")
        other_address = post(REFERENCE, REMOTE_ADDR="10.0.0.7")
    assert answers == [200] * limit
    assert refused.status_code == 429
    assert refused.json() == {"code": "rate_limited", "message": "Too many requests. Please try again later.",
                              "fields": {}}  # fmt: skip
    assert other_address.status_code == 200
    with mock.patch("loancrm.loans.calculator_api.time.time", return_value=1_800_000_060.0):
        assert post(REFERENCE).status_code == 200  # the next minute starts afresh


def test_refused_requests_count_and_the_default_limit_is_sixty():
    with mock.patch("loancrm.loans.calculator_api.time.time", return_value=1_800_000_000.0):
        answers = [post({**REFERENCE, "principal": "0"}).status_code for _ in range(60)]
        refused = post(REFERENCE)
    assert answers == [422] * 60
    assert (refused.status_code, refused.json()["message"]) == (429, "请求过于频繁，请稍后再试。")


def test_the_operation_is_documented_without_security():
    from config.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/calculator/schedule"]["post"]
    assert "security" not in operation
    assert {str(status) for status in operation["responses"]} == {"200", "422", "429"}
