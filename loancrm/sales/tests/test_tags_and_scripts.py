"""Tags (manual and CEL rules) and the script library."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.leads.choices import Stage
from loancrm.sales.models import LeadTag, Script
from loancrm.sales.scripts import script_save, scripts_for_lead, search_scripts
from loancrm.sales.services import followup_record
from loancrm.sales.tags import apply_tag_rules, check_rule, lead_tag_add, lead_tag_remove, tag_save

POSITIVE = {"points": "有兴趣", "intention_before": "medium", "intention_after": "high", "outcome": "positive"}


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("positive_follow_ups >= 2", None),
        ('stage == "interested" && desired_amount >= 200000.0', None),
        ("positive_follow_ups >=", "无法解析"),
        ("salary > 1", "未知的事实：salary。"),
        ("follow_ups + 1", "规则的结果必须是 true 或 false。"),
    ],
)
def test_check_rule(db, rule, problem):
    problems = check_rule(rule)
    assert (problems == []) if problem is None else (problem in problems[0])


def test_rule_tag_follows_its_rule(team):
    tag = tag_save(actor=team.leader, name="高意向", color="green", rule="positive_follow_ups >= 2")
    followup_record(actor=team.agent, lead_id=team.lead.pk, **POSITIVE)
    assert not LeadTag.objects.exists()
    followup_record(actor=team.agent, lead_id=team.lead.pk, **POSITIVE)
    (link,) = LeadTag.objects.all()
    assert (link.tag, link.by_rule) == (tag, True)
    tag_save(actor=team.leader, tag_id=tag.pk, name="高意向", color="green", rule="positive_follow_ups >= 3")
    assert apply_tag_rules([team.lead]) == (0, 1) and not LeadTag.objects.exists()
    with pytest.raises(ValidationFailed):
        lead_tag_add(actor=team.agent, lead_id=team.lead.pk, tag_id=tag.pk)


def test_time_based_rule(team):
    tag_save(actor=team.leader, name="久未转化", rule='days_since_created >= 7 && stage == "new"')
    assert apply_tag_rules([team.lead]) == (0, 0)
    assert apply_tag_rules([team.lead], today=current_business_date() + timedelta(days=8)) == (1, 0)


def test_manual_tags(team):
    tag = tag_save(actor=team.leader, name="优质客户", color="blue")
    with pytest.raises(PermissionDenied):
        tag_save(actor=team.agent, name="x")
    with pytest.raises(NotFound):
        lead_tag_add(actor=team.other_agent, lead_id=team.lead.pk, tag_id=tag.pk)
    client = Client()
    client.force_login(team.agent)
    client.post(f"/sales/leads/{team.lead.pk}/tags/", {"tag": tag.pk})
    assert LeadTag.objects.get().added_by == team.agent
    listed = client.get(f"/leads/?tag={tag.pk}").context["listing"].rows
    assert list(listed) == [team.lead]
    assert "优质客户" in client.get("/leads/").content.decode()
    lead_tag_remove(actor=team.agent, lead_id=team.lead.pk, tag_id=tag.pk)
    assert not LeadTag.objects.exists()
    assert AuditEvent.objects.filter(action__in=["sales.lead_tagged", "sales.lead_untagged"]).count() == 2


def test_tag_page(team):
    client = Client()
    client.force_login(team.leader)
    bad = client.post("/sales/tags/", {"name": "坏规则", "color": "red", "rule": "nope > 1", "active": "on"})
    assert bad.status_code == 422 and "未知的事实：nope。" in bad.content.decode()
    assert client.post("/sales/tags/", {"name": "好", "color": "red", "active": "on"}).status_code == 302


def test_scripts(team):
    with pytest.raises(PermissionDenied):
        script_save(actor=team.agent, title="x", body="y")
    general = script_save(actor=team.leader, title="开场白", body="您好，我是……", keywords="开场 问候")
    specific = script_save(actor=team.leader, title="利率异议", body="我们的年化利率……", kind="objection",
                           stage=Stage.NEW, keywords="利率 太贵")  # fmt: skip
    script_save(actor=team.leader, title="旧话术", body="停用", active=False)
    assert [s.title for s in search_scripts(q="太贵")] == ["利率异议"]
    assert scripts_for_lead(team.lead) == [specific, general]
    client = Client()
    client.force_login(team.agent)
    page = client.get(f"/leads/{team.lead.pk}/").content.decode()
    assert 'data-testid="lead-scripts"' in page and "我们的年化利率" in page
    listing = client.get("/sales/scripts/?q=开场").content.decode()
    assert "开场白" in listing and "旧话术" not in listing
    assert client.get("/sales/scripts/new/").status_code == 403
    api = client.get("/api/v1/sales/scripts?q=利率").json()
    assert [item["title"] for item in api["items"]] == ["利率异议"]
    leader = Client()
    leader.force_login(team.leader)
    response = leader.post(f"/sales/scripts/{general.pk}/edit/", {"kind": "script", "title": "开场白 v2", "body": "新",
                                                                "position": "1", "active": "on"})  # fmt: skip
    assert response.status_code == 302 and Script.objects.get(pk=general.pk).title == "开场白 v2"


def test_age_fact_is_read_from_the_id_number(team):
    from datetime import date

    from loancrm.leads.services import lead_intake
    from loancrm.sales.tags import lead_facts

    lead = lead_intake(data={"channel": "baidu", "mobile": "13700000009", "id_number": "110105199001011232"}).lead
    assert lead_facts(lead, today=date(2026, 1, 1))["age"] == 36
    assert lead_facts(lead, today=date(2025, 12, 31))["age"] == 35
    assert lead_facts(team.lead, today=date(2026, 1, 1))["age"] == 0
