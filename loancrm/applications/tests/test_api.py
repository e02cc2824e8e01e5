"""The partner applications API: 201 then 200 for a repeat, 409 for a conflicting repeat, 4xx with nothing written,
submission in the same call, partner isolation."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from loancrm.accounts import services as account_services
from loancrm.accounts.tests.factories import make_user
from loancrm.applications.models import Application
from loancrm.applications.tests.factories import make_customer
from loancrm.core.models import AuditEvent
from loancrm.customers.models import Customer
from loancrm.customers.tests.factories import valid_id

pytestmark = pytest.mark.django_db
ID = valid_id("11010519900307123")
URL = "/api/v1/applications"


def partner_auth(username: str, *, submit: bool = True) -> dict[str, str]:
    user = make_user(username, kind="partner")
    codenames = ["add_application"] + (["submit_application"] if submit else [])
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="applications", codename__in=codenames)
    )
    admin = make_user(f"{username}_admin", role="administrator")
    _token, secret = account_services.api_token_create(
        actor=admin, user_id=user.pk, name=username, scopes=["read", "applications:write"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def body(**changes):
    data = {
        "applicant": {"name": "王五", "id_number": ID, "mobile": "13700001111"},
        "product_code": "CASH", "external_ref": "ord-1", "amount": "30000.00", "term_months": 12,
        "method": "equal_installment", "purpose": "travel", "monthly_income": "15000", "housing": "rented",
    }  # fmt: skip
    return data | changes


def post(path, data, auth):
    return Client().post(path, json.dumps(data), content_type="application/json", **auth)


@pytest.fixture
def auth(version):
    return partner_auth("partner_a")


def test_create_then_repeat_returns_the_same_application(auth):
    created = post(URL, body(), auth)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and data["external_ref"] == "ord-1" and data["product_code"] == "CASH"
    assert data["amount"] == "30000.00" and data["decision"] is None
    application = Application.objects.get()
    assert (application.channel, application.partner) == ("partner", "partner_a")
    assert application.customer.name == "王五" and application.customer.primary_mobile.mobile == "13700001111"
    repeat = post(URL, body(), auth)
    assert repeat.status_code == 200 and repeat.json()["number"] == data["number"]
    assert Application.objects.count() == 1 and Customer.objects.count() == 1
    assert ID not in created.content.decode()


def test_a_conflicting_repeat_is_409_and_changes_nothing(auth):
    post(URL, body(), auth)
    conflict = post(URL, body(amount="40000.00"), auth)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "external_ref_conflict" and conflict.json()["message"]
    assert Application.objects.get().amount == 30000


def test_submit_in_the_same_call_and_later(auth):
    submitted = post(URL, body(submit=True), auth)
    assert submitted.status_code == 201 and submitted.json()["status"] == "submitted"
    draft = post(URL, body(external_ref="ord-2"), auth).json()
    later = post(f"{URL}/{draft['number']}/submit", {}, auth)
    assert later.status_code == 200 and later.json()["status"] == "submitted"
    again = post(f"{URL}/{draft['number']}/submit", {}, auth)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"amount": "1000.00"}, 400, "amount"),
        ({"product_code": "NOPE"}, 400, "product_code"),
        ({"applicant": {"name": "王五", "id_number": "110105199003071230", "mobile": "13700001111"}}, 400, "id_number"),
        ({"applicant": {"name": "王五", "id_number": ID, "mobile": "123"}}, 400, "mobile"),
        ({"term_months": "x"}, 422, "term_months"),
        ({"submit": True, "monthly_income": None, "housing": None}, 400, "housing"),
    ],
)
def test_refusals_write_nothing(auth, changes, status, field):
    response = post(URL, body(**changes), auth)
    assert response.status_code == status, response.content
    assert field in response.json()["fields"] and response.json()["message"]
    assert not Application.objects.exists() and not Customer.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["application.created", "customer.created"]).exists()


def test_known_customer_is_reused_and_a_different_name_refused(auth, people):
    known = make_customer(people["agent"], name="王五", id_number=ID)
    assert post(URL, body(), auth).status_code == 201
    assert Application.objects.get().customer == known and Customer.objects.count() == 1
    refused = post(
        URL, body(external_ref="ord-9", applicant={"name": "赵六", "id_number": ID, "mobile": "13700002222"}), auth
    )
    assert refused.status_code == 400 and "name" in refused.json()["fields"]


def test_partners_see_only_their_own_applications(auth, version):
    number = post(URL, body(), auth).json()["number"]
    other = partner_auth("partner_b")
    assert Client().get(f"{URL}/{number}", **other).status_code == 404
    assert post(f"{URL}/{number}/submit", {}, other).status_code == 404
    same_ref = post(URL, body(), other)
    assert same_ref.status_code == 201 and same_ref.json()["number"] != number
    mine = Client().get(f"{URL}/{number}", **auth)
    assert mine.status_code == 200 and mine.json()["status_label"]


def test_staff_users_and_missing_permissions_are_refused(version):
    no_submit = partner_auth("partner_c", submit=False)
    assert post(URL, body(submit=True), no_submit).status_code == 403
    assert not Application.objects.exists()
    assert Client().post(URL, json.dumps(body()), content_type="application/json").status_code == 401
