"""Consent flags sent with a lead: recorded with the lead (or on the lead it repeats), validated before any write."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from loancrm.accounts import services as account_services
from loancrm.accounts.tests.factories import make_user
from loancrm.compliance.models import Consent
from loancrm.compliance.services import consent_text_publish
from loancrm.core.models import AuditEvent
from loancrm.leads.models import Channel, Lead, LeadHit

BODY = "我们将使用您的手机号联系您，说明贷款产品，期限为一年，您可随时撤回。"


@pytest.fixture
def partner(org):
    make_user("agent0", role="sales_agent", unit=org.bj_team1)
    user = make_user("baidu_api", kind="partner")
    user.user_permissions.add(Permission.objects.get(codename="intake_lead"))
    Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1, partner=user)
    admin = make_user("boss", role="administrator")
    _token, secret = account_services.api_token_create(
        actor=admin, user_id=user.pk, name="百度", scopes=["leads:write"]
    )
    for purpose in ("contact", "marketing"):
        consent_text_publish(actor=None, purpose=purpose, title=purpose, body=BODY)
    consent_text_publish(actor=None, purpose="contact", title="v2", body=BODY)  # contact is at version 2 now
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(body, auth):
    return Client().post("/api/v1/leads", json.dumps(body), content_type="application/json", **auth)


def lead(**extra):
    return {"channel": "baidu", "mobile": "13812345678", "name": "张三", **extra}


GIVEN = [{"purpose": "contact", "text_version": 2}, {"purpose": "marketing", "text_version": 1}]


def test_consents_are_recorded_with_the_new_lead_and_audited(partner):
    answer = post(lead(consents=GIVEN), partner)
    assert answer.status_code == 201
    created = Lead.objects.get()
    consents = {c.purpose: c for c in Consent.objects.all()}
    assert set(consents) == {"contact", "marketing"} and consents["contact"].text.version == 2
    assert {c.subject_id for c in consents.values()} == {created.pk}
    assert {c.given_channel for c in consents.values()} == {"partner"}
    given = AuditEvent.objects.filter(action="consent.given").order_by("id")
    assert [(e.data["purpose"], e.data["version"], e.target_id) for e in given] == [
        ("contact", 2, str(created.pk)), ("marketing", 1, str(created.pk))
    ]  # fmt: skip


def test_an_old_or_unknown_text_is_a_field_error_and_writes_nothing(partner):
    before = AuditEvent.objects.count()
    old = post(lead(consents=[{"purpose": "contact", "text_version": 1}]), partner)
    unknown = post(lead(consents=[{"purpose": "lottery", "text_version": 1}]), partner)
    assert old.status_code == 422 and "不是当前提供的版本" in old.json()["fields"]["consents"][0]
    assert unknown.status_code == 422 and "lottery" in unknown.json()["fields"]["consents"][0]
    assert not Lead.objects.exists() and not Consent.objects.exists() and AuditEvent.objects.count() == before


def test_a_repeat_submission_records_new_consents_on_the_existing_lead_once(partner):
    post(lead(consents=GIVEN[:1]), partner)
    again = post(lead(consents=GIVEN), partner)
    third = post(lead(consents=GIVEN), partner)
    assert again.json()["outcome"] == "duplicate" and third.json()["outcome"] == "duplicate"
    existing = Lead.objects.get()
    assert LeadHit.objects.filter(lead=existing).count() == 2
    assert sorted(Consent.objects.filter(subject_id=existing.pk).values_list("purpose", flat=True)) == [
        "contact", "marketing"
    ]  # fmt: skip
