"""The public H5 landing page: consent with its text version, duplicates look the same, rate limit."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.compliance.models import Consent
from loancrm.compliance.services import consent_text_publish
from loancrm.leads.models import Channel, Lead, LeadHit

BODY = "本人同意贵司收集本人填写的信息，仅用于就本人的借款咨询与本人联系，保存六个月。"


@pytest.fixture
def page(org):
    Channel.objects.create(code="douyin", name="抖音", team=org.bj_team1)
    Channel.objects.create(code="website", name="官网", team=org.bj_team1)
    consent_text_publish(actor=None, purpose="contact", title="咨询联系授权", body=BODY)
    consent_text_publish(actor=None, purpose="marketing", title="营销", body=BODY)
    return "/h5/apply/?channel=douyin&campaign=抖音开屏-双十一"


def form(**extra):
    return {"name": "李四", "mobile": "13912345678", "city": "北京", "desired_amount": "50000", "consent": "on",
            "consent_version": "1", **extra}  # fmt: skip


def test_page_shows_the_consent_text_and_version(page):
    html = Client().get(page).content.decode()
    assert "咨询联系授权" in html and "（v1）" in html and 'name="consent_version" value="1"' in html
    assert "viewport" in html


def test_a_submission_creates_a_lead_with_source_and_consents(page):
    response = Client().post(page, form(marketing="on"))
    assert response.status_code == 302 and response["Location"] == "/h5/thanks/"
    lead = Lead.objects.get()
    assert (lead.channel.code, lead.campaign, lead.mobile) == ("douyin", "抖音开屏-双十一", "13912345678")
    consents = {c.purpose: c for c in Consent.objects.all()}
    assert set(consents) == {"contact", "marketing"} and consents["contact"].text.version == 1
    assert consents["contact"].given_channel == "h5" and consents["contact"].given_ip == "127.0.0.1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": ""}, "这个字段是必填项"),
        ({"mobile": "123"}, "手机号"),
        ({"consent_version": "0"}, "授权文本已更新"),
    ],
)
def test_no_consent_or_bad_input_writes_nothing(page, change, message):
    response = Client().post(page, form(**change))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Lead.objects.exists() and not Consent.objects.exists()


def test_a_known_person_sees_the_same_thanks_and_becomes_a_hit(page):
    Client().post(page, form())
    again = Client().post(page, form(name="李四四"))
    assert again.status_code == 302 and again["Location"] == "/h5/thanks/"
    assert Lead.objects.count() == 1 and LeadHit.objects.count() == 1


def test_submissions_are_rate_limited_per_address(page, settings):
    settings.LEAD_H5_SUBMISSIONS_PER_HOUR = 2
    client = Client()
    codes = [client.post(page, form(mobile=f"1390000000{i}")).status_code for i in range(3)]
    assert codes == [302, 302, 429] and Lead.objects.count() == 2


def test_unknown_or_blocked_channels_fall_back_or_404(page):
    assert Client().get("/h5/apply/").status_code == 200  # default channel "website"
    assert Client().get("/h5/apply/?channel=nope").status_code == 404
    Channel.objects.filter(code="douyin").update(is_blocked=True)
    assert Client().get(page).status_code == 404
