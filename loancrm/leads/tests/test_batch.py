"""A partner's batch through the set-based path: the answers single intakes would give, item by item."""

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
from loancrm.leads.batch import lead_intake_batch
from loancrm.leads.models import Channel, Lead, LeadHit
from loancrm.leads.services import lead_intake
from loancrm.sales.models import FollowUpTask

CONSENT_BODY = "我们将使用您的手机号联系您，说明贷款产品，期限一年。"


@pytest.fixture
def setup(org):
    agents = [make_user(f"agent{i}", role="sales_agent", unit=org.bj_team1) for i in range(2)]
    user = make_user("baidu_api", kind="partner")
    user.user_permissions.add(Permission.objects.get(codename="intake_lead"))
    Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1, partner=user)
    Channel.objects.create(code="web", name="官网", team=org.bj_team1)
    admin = make_user("boss", role="administrator")
    _token, secret = account_services.api_token_create(
        actor=admin, user_id=user.pk, name="百度", scopes=["leads:write"]
    )
    return agents, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def item(mobile: str, **extra):
    return {"channel": "baidu", "mobile": mobile, "name": "张三", **extra}


def test_each_item_gets_the_answer_a_single_intake_would_give(setup):
    agents, _auth = setup
    earlier = lead_intake(data=item("13900000001", external_id="E0")).lead
    owner = earlier.owner
    results = lead_intake_batch(items=[
        item("13800000001", external_id="E1"),
        item("bad"),
        item("13800000001"),  # repeats item 0 inside the batch
        item("13800000003", external_id="E1"),  # the partner's retry of item 0
        item("13900000001"),  # an existing lead
        item("13800000005", external_id="E0"),  # the partner's retry of an earlier call
        {**item("13800000006"), "channel": "nope"},
        {**item("13800000007"), "channel": "web"},
    ])  # fmt: skip
    first = Lead.objects.get(mobile_bidx=Lead._meta.get_field("mobile_bidx").digest("13800000001"))
    web = Lead.objects.get(channel__code="web")
    assert [(r.outcome, r.lead_id, r.replay) for r in results] == [
        ("created", first.pk, False), ("invalid", None, False), ("duplicate", first.pk, False),
        ("created", first.pk, True), ("duplicate", earlier.pk, False), ("created", earlier.pk, True),
        ("invalid", None, False), ("created", web.pk, False),
    ]  # fmt: skip
    assert "mobile" in results[1].errors and results[6].errors == {"channel": ["未知的渠道。"]}
    earlier.refresh_from_db()
    first.refresh_from_db()
    assert (earlier.hit_count, earlier.owner, first.hit_count) == (1, owner, 1) and LeadHit.objects.count() == 2
    assert first.owner in agents and FollowUpTask.objects.filter(lead=first, assignee=first.owner).count() == 1
    events = AuditEvent.objects.filter(action="lead.bulk_intake").order_by("id")
    assert [(e.data["channel"], e.data["created"]) for e in events] == [("baidu", 1), ("web", 1)]


def test_the_api_answers_per_item_and_records_consents(setup):
    _agents, auth = setup
    for purpose in ("contact", "marketing"):
        consent_text_publish(
            actor=None, purpose=purpose, title=purpose, body="我们将使用您的手机号联系您，说明贷款产品，期限一年。"
        )
    consent = [{"purpose": "contact", "text_version": 1}]
    body = {"items": [item("13700000001", consents=consent), item("13700000002"), item("x"),
                      item("13700000003", consents=[{"purpose": "contact", "text_version": 9}])]}  # fmt: skip
    answer = Client().post("/api/v1/leads/batch", json.dumps(body), content_type="application/json", **auth).json()
    assert (answer["created"], answer["duplicate"], answer["invalid"]) == (2, 0, 2)
    assert [r["outcome"] for r in answer["results"]] == ["created", "created", "invalid", "invalid"]
    assert "consents" in answer["results"][3]["fields"] and not answer["results"][0]["fields"]
    (recorded,) = Consent.objects.all()
    assert recorded.subject_id == answer["results"][0]["lead_id"] and recorded.given_channel == "partner"
    assert Lead.objects.count() == 2


def test_a_partner_may_not_send_a_batch_for_another_channel_and_nothing_is_written(setup):
    _agents, auth = setup
    before = AuditEvent.objects.count()
    body = {"items": [item("13700000001"), {**item("13700000002"), "channel": "web"}]}
    answer = Client().post("/api/v1/leads/batch", json.dumps(body), content_type="application/json", **auth)
    assert answer.status_code == 403
    assert not Lead.objects.exists() and AuditEvent.objects.count() == before + 1  # the refusal itself is audited
