"""The H5 self-service flow end to end with the test client: SMS sign-in (code read from the simulator's outbox),
identity for a new mobile, consent, a draft saved at each step and resumed, submit; isolation between customers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import F
from django.test import Client
from django.utils import translation

from loancrm.applications.models import Application
from loancrm.applications.tests.factories import make_application, make_customer
from loancrm.compliance.models import Consent
from loancrm.compliance.services import consent_text_publish
from loancrm.customers.models import Customer
from loancrm.customers.tests.factories import valid_id
from loancrm.messaging.models import SmsCode, SmsMessage

pytestmark = pytest.mark.django_db
NEW_MOBILE = "13600001234"
NEW_ID = valid_id("11010519880512003")


@pytest.fixture
def bureau_text(db):
    return consent_text_publish(
        actor=None,
        purpose="credit_bureau",
        title="征信查询授权书",
        body="本人授权贵司向金融信用信息基础数据库查询本人的信用报告，用于贷款审批。",
    )


def last_code() -> str:
    found = re.search(r"验证码为(\d{6})", SmsMessage.objects.order_by("-id").first().text)
    assert found
    return found.group(1)


def sign_in(client: Client, mobile: str, next_url: str = ""):
    SmsCode.objects.update(created_at=F("created_at") - dt.timedelta(seconds=61))  # past the once-a-minute limit
    sent = client.post("/h5/apply/login/", {"action": "send", "mobile": mobile, "next": next_url})
    assert sent.status_code == 200 and sent.context["code_sent"]
    return client.post("/h5/apply/login/", {"action": "verify", "mobile": mobile, "code": last_code(),
                                            "next": next_url})  # fmt: skip


def test_new_customer_full_flow(version, bureau_text):
    client = Client()
    assert client.get("/h5/apply/my/").url.startswith("/h5/apply/login/?next=/h5/apply/my/")
    assert client.get("/h5/apply/login/").status_code == 200

    verified = sign_in(client, NEW_MOBILE)
    assert verified.url == "/h5/apply/login/identity/"
    bad = client.post(verified.url, {"name": "陈七", "id_number": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")})
    assert bad.status_code == 200 and "id_number" in bad.context["form"].errors
    assert not Customer.objects.exists()
    done = client.post(verified.url, {"name": "陈七", "id_number": NEW_ID})
    assert done.url == "/h5/apply/my/"
    customer = Customer.objects.get()
    assert customer.name == "陈七" and customer.primary_mobile.mobile == NEW_MOBILE and customer.id_number == NEW_ID

    new = client.get("/h5/apply/new/")
    assert new.url == "/h5/apply/consent/?next=/h5/apply/new/"
    page = client.get(new.url)
    assert bureau_text.body in page.content.decode()
    assert client.post(new.url, {"consent_version": bureau_text.version, "next": "/h5/apply/new/"}).status_code == 200
    agreed = client.post(new.url, {"consent": "on", "consent_version": bureau_text.version, "next": "/h5/apply/new/"})
    assert agreed.url == "/h5/apply/new/"
    consent = Consent.objects.get(purpose="credit_bureau")
    assert consent.subject == customer and consent.text == bureau_text and consent.given_channel == "h5"

    products = client.get("/h5/apply/new/")
    assert products.status_code == 200 and version in products.context["versions"]
    out_of_range = client.post(
        f"/h5/apply/new/{version.pk}/",
        {"amount": "1000", "term_months": 12, "method": "equal_installment", "purpose": "travel"},
    )
    assert out_of_range.status_code == 200 and "amount" in out_of_range.context["form"].errors
    assert not Application.objects.exists()
    created = client.post(
        f"/h5/apply/new/{version.pk}/",
        {"amount": "20000", "term_months": 12, "method": "equal_installment", "purpose": "travel"},
    )
    application = Application.objects.get()
    assert created.url == f"/h5/apply/{application.pk}/declarations/"
    assert (application.channel, application.status, application.amount) == ("h5", "draft", 20000)

    # come back later in a new session: the draft is listed and resumes
    later = Client()
    sign_in(later, NEW_MOBILE)
    home = later.get("/h5/apply/my/")
    assert [i["application"] for i in home.context["items"]] == [application]
    review = later.get(f"/h5/apply/{application.pk}/review/")
    with translation.override("zh-hans"):
        assert {p["field"] for p in review.context["problems"]} >= {"monthly_income", "housing"}
    refused = later.post(f"/h5/apply/{application.pk}/review/")
    assert refused.status_code == 400
    application.refresh_from_db()
    assert application.status == "draft"

    decl = later.get(f"/h5/apply/{application.pk}/declarations/")
    assert decl.context["form"].initial["region"] == NEW_ID[:6]
    saved = later.post(f"/h5/apply/{application.pk}/declarations/", {
        "monthly_income": "9000", "monthly_debt": "0", "employment_years": "3", "housing": "rented",
        "region": NEW_ID[:6]})  # fmt: skip
    assert saved.url == f"/h5/apply/{application.pk}/review/"
    ready = later.get(saved.url)
    assert ready.context["problems"] == []
    submitted = later.post(saved.url)
    assert submitted.url == f"/h5/apply/{application.pk}/"
    application.refresh_from_db()
    assert application.status == "submitted"
    detail = later.get(submitted.url)
    assert detail.status_code == 200 and detail.context["result"]
    assert later.get(f"/h5/apply/{application.pk}/terms/").url == f"/h5/apply/{application.pk}/"

    later.post("/h5/apply/logout/")
    assert later.get("/h5/apply/my/").status_code == 302


def test_known_mobile_signs_in_and_sees_only_own_applications(people, version, bureau_text):
    mine = make_customer(people["agent"])
    other = make_customer(people["agent"])
    other_application = make_application(people["agent"], other, version)
    client = Client()
    signed = sign_in(client, mine.primary_mobile.mobile, next_url="/h5/apply/new/")
    assert signed.url == "/h5/apply/new/"
    assert client.get("/h5/apply/my/").context["items"] == []
    for path in ("", "terms/", "declarations/", "review/"):
        assert client.get(f"/h5/apply/{other_application.pk}/{path}").status_code == 404
    assert client.post(f"/h5/apply/{other_application.pk}/review/").status_code == 404
    other_application.refresh_from_db()
    assert other_application.status == "draft"


def test_unsafe_next_and_a_taken_id_number(people, version):
    known = make_customer(people["agent"], id_number=NEW_ID)
    client = Client()
    assert sign_in(client, NEW_MOBILE, next_url="https://evil.example/").url == "/h5/apply/login/identity/"
    taken = client.post("/h5/apply/login/identity/", {"name": known.name, "id_number": NEW_ID})
    assert taken.status_code == 200 and taken.context["form"].non_field_errors()
    assert Customer.objects.count() == 1 and client.get("/h5/apply/my/").status_code == 302
    assert Client().get("/h5/apply/login/identity/").url == "/h5/apply/login/"
    signed = sign_in(Client(), known.primary_mobile.mobile, next_url="https://evil.example/")
    assert signed.url == "/h5/apply/my/"


def test_wrong_code_and_resend_limit(people):
    client = Client()
    client.post("/h5/apply/login/", {"action": "send", "mobile": NEW_MOBILE})
    wrong = client.post("/h5/apply/login/", {"action": "verify", "mobile": NEW_MOBILE, "code": "000000"
                                              if last_code() != "000000" else "111111"})  # fmt: skip
    assert wrong.status_code == 400 and "code" in wrong.context["form"].errors
    again = client.post("/h5/apply/login/", {"action": "send", "mobile": NEW_MOBILE})
    assert again.status_code == 429
