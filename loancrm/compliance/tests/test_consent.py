"""Consent texts are versioned; consents are given, withdrawn and required; every step is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.compliance import services
from loancrm.compliance.models import Consent, ConsentText
from loancrm.core.errors import Conflict, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent

BODY = "本人同意贵司为审核贷款申请之目的查询本人信用报告，期限至贷款结清。"


@pytest.fixture
def texts(db):
    return {
        "v1": services.consent_text_publish(actor=None, purpose="credit_bureau", title="征信授权", body=BODY),
    }


@pytest.fixture
def person(org):
    return make_user("applicant", unit=org.bj_team1)  # any model can be a consent subject


def test_publishing_makes_new_versions_never_edits(texts):
    v2 = services.consent_text_publish(
        actor=None, purpose="credit_bureau", title="征信授权（修订）", body=BODY + "修订。"
    )
    assert (texts["v1"].version, v2.version) == (1, 2)
    assert services.current_text("credit_bureau") == v2
    assert ConsentText.objects.filter(purpose="credit_bureau").count() == 2


def test_bad_texts_and_unauthorised_publishers_are_refused(org, texts):
    with pytest.raises(ValidationFailed):
        services.consent_text_publish(actor=None, purpose="credit_bureau", title="", body="太短")
    with pytest.raises(ValidationFailed):
        services.consent_text_publish(actor=None, purpose="nope", title="x", body=BODY)
    with pytest.raises(PermissionDenied):
        services.consent_text_publish(
            actor=make_user("a", role="sales_agent"), purpose="marketing", title="x", body=BODY
        )
    assert ConsentText.objects.count() == 1


def test_give_require_withdraw(texts, person):
    with pytest.raises(services.ConsentRequired) as info:
        services.consent_require(person, "credit_bureau")
    assert info.value.code == "consent_required"
    consent = services.consent_give(subject=person, purpose="credit_bureau", channel="h5")
    assert consent.text == texts["v1"] and consent.in_force
    assert services.consent_require(person, "credit_bureau") == consent
    with pytest.raises(Conflict):
        services.consent_give(subject=person, purpose="credit_bureau", channel="app")
    services.consent_withdraw(subject=person, purpose="credit_bureau", channel="phone")
    with pytest.raises(services.ConsentRequired):
        services.consent_require(person, "credit_bureau")
    again = services.consent_give(subject=person, purpose="credit_bureau", channel="app")
    history = services.consent_history(person)
    assert [c.pk for c in history] == [again.pk, consent.pk] and history[1].withdrawn_channel == "phone"
    actions = list(
        AuditEvent.objects.filter(action__startswith="consent.").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["consent.text_published", "consent.given", "consent.withdrawn", "consent.given"]


def test_consent_needs_a_published_current_text(texts, person):
    with pytest.raises(ValidationFailed):
        services.consent_give(subject=person, purpose="marketing", channel="h5")
    services.consent_text_publish(actor=None, purpose="credit_bureau", title="v2", body=BODY + "二")
    with pytest.raises(ValidationFailed):
        services.consent_give(subject=person, purpose="credit_bureau", channel="h5", text_version=1)
    with pytest.raises(Conflict):
        services.consent_withdraw(subject=person, purpose="credit_bureau", channel="h5")
    assert not Consent.objects.exists()


def test_compliance_pages_and_api(org, texts, person):
    services.consent_give(subject=person, purpose="credit_bureau", channel="h5")
    client = Client()
    client.force_login(make_user("comp", role="compliance_officer", unit=org.hq))
    page = client.get("/compliance/consent-texts/").content.decode()
    assert "征信授权" in page and "版本 1 使用中" in page
    published = client.post("/compliance/consent-texts/", {"purpose": "marketing", "title": "营销", "body": BODY})
    assert published.status_code == 302 and services.current_text("marketing").version == 1
    bad = client.post("/compliance/consent-texts/", {"purpose": "marketing", "title": "营销", "body": "短"})
    assert bad.status_code == 400 and ConsentText.objects.filter(purpose="marketing").count() == 1
    register = client.get("/compliance/consents/?state=in_force").content.decode()
    assert "生效中" in register
    api = client.get("/api/v1/compliance/consent-texts").json()
    assert {t["purpose"] for t in api} == {"credit_bureau", "marketing"}
    agent = Client()
    agent.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    assert agent.get("/compliance/consents/").status_code == 403
    assert (
        agent.post("/compliance/consent-texts/", {"purpose": "marketing", "title": "x", "body": BODY}).status_code
        == 403
    )
