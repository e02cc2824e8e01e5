"""Pipeline stages change only along the table, only for leads in scope, with a reason to decline; audited."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.leads.choices import Stage
from loancrm.leads.models import Channel
from loancrm.leads.pipeline import lead_stage_change
from loancrm.leads.services import lead_intake


@pytest.fixture
def owned(org):
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    Channel.objects.create(code="baidu", name="百度", team=org.bj_team1)
    lead = lead_intake(data={"channel": "baidu", "mobile": "13700000001"}).lead
    assert lead.owner == agent
    return agent, lead


def test_agents_move_their_leads_along_the_table(owned):
    agent, lead = owned
    for stage in (Stage.CONTACTED, Stage.INTERESTED, Stage.PREPARING):
        lead = lead_stage_change(actor=agent, lead_id=lead.pk, stage=stage)
    assert lead.stage == Stage.PREPARING
    events = AuditEvent.objects.filter(action="lead.stage_changed").order_by("id")
    assert [e.data["after"]["stage"] for e in events] == ["contacted", "interested", "preparing"]


def test_refusals(owned, org):
    agent, lead = owned
    with pytest.raises(InvalidTransition) as info:
        lead_stage_change(actor=agent, lead_id=lead.pk, stage=Stage.PREPARING)
    assert "新线索" in str(info.value.message) and "准备材料" in str(info.value.message)
    with pytest.raises(PermissionDenied):
        lead_stage_change(actor=agent, lead_id=lead.pk, stage=Stage.APPLIED)
    with pytest.raises(ValidationFailed):
        lead_stage_change(actor=agent, lead_id=lead.pk, stage=Stage.REJECTED, reason=" ")
    other = make_user("other", role="sales_agent", unit=org.bj_team1)
    with pytest.raises(NotFound):
        lead_stage_change(actor=other, lead_id=lead.pk, stage=Stage.CONTACTED)
    assert not AuditEvent.objects.filter(action="lead.stage_changed").exists()
    system = lead_stage_change(actor=None, lead_id=lead.pk, stage=Stage.CONTACTED, system=True)
    assert system.stage == Stage.CONTACTED


def test_board_page_and_stage_form(owned):
    agent, lead = owned
    client = Client()
    client.force_login(agent)
    page = client.get("/leads/board/").content.decode()
    assert 'data-testid="count-new">1<' in page and "137****0001" in page
    response = client.post(f"/leads/{lead.pk}/stage/", {"stage": "contacted", "next": "board"})
    assert response["Location"] == "/leads/board/"
    bad = client.post(f"/leads/{lead.pk}/stage/", {"stage": "disbursed"}, follow=True)
    assert "由申请和贷款模块设置" in bad.content.decode()
