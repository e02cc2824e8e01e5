"""Shared pool: unworked leads return, agents claim within a daily limit (one winner per lead), managers reassign."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.leads import pool
from loancrm.leads.models import Channel, Lead, PoolSettings
from loancrm.leads.services import lead_intake


@pytest.fixture
def world(org):
    bj = make_user("bj_agent", role="sales_agent", unit=org.bj_team1)
    bj2 = make_user("bj_agent2", role="sales_agent", unit=org.bj_team2)
    sh = make_user("sh_agent", role="sales_agent", unit=org.sh_team1)
    manager = make_user("bj_lead", role="sales_lead", unit=org.bj_team1)
    Channel.objects.create(code="baidu", name="百度", team=org.bj_team1)
    return bj, bj2, sh, manager


def pooled(n: int, org) -> list[Lead]:
    leads = []
    for i in range(n):
        lead = lead_intake(data={"channel": "baidu", "mobile": f"1370000{i:04d}"}).lead
        Lead.objects.filter(pk=lead.pk).update(owner=None, assigned_at=None, org_unit=org.bj_team1)
        leads.append(Lead.objects.get(pk=lead.pk))
    return leads


def test_unworked_new_leads_return_to_the_branch_pool(world, org):
    bj, *_rest = world
    lead = lead_intake(data={"channel": "baidu", "mobile": "13700000001"}).lead
    assert lead.owner == bj
    assert pool.return_stale_leads(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert pool.return_stale_leads(now=timezone.now() + dt.timedelta(days=4)) == 1
    lead.refresh_from_db()
    assert lead.owner is None and lead.org_unit == org.bj_team1
    assert AuditEvent.objects.filter(action="lead.returned_to_pool").count() == 1


def test_agents_claim_from_their_branch_pool_within_the_daily_limit(world, org):
    bj, bj2, sh, _manager = world
    PoolSettings.objects.create(daily_claim_limit=2)
    leads = pooled(3, org)
    assert set(pool.pool_for(bj2)) == set(leads) and not pool.pool_for(sh).exists()
    pool.lead_claim(actor=bj2, lead_id=leads[0].pk)
    with pytest.raises(NotFound):
        pool.lead_claim(actor=bj, lead_id=leads[0].pk)  # no longer in the pool
    with pytest.raises(NotFound):
        pool.lead_claim(actor=sh, lead_id=leads[1].pk)  # another branch's pool
    pool.lead_claim(actor=bj2, lead_id=leads[1].pk)
    with pytest.raises(RateLimited):
        pool.lead_claim(actor=bj2, lead_id=leads[2].pk)
    assert Lead.objects.get(pk=leads[0].pk).owner == bj2
    assert AuditEvent.objects.filter(action="lead.claimed").count() == 2


def test_managers_reassign_within_scope_with_a_reason(world, org):
    bj, _bj2, sh, manager = world
    lead = lead_intake(data={"channel": "baidu", "mobile": "13700000002"}).lead
    with pytest.raises(ValidationFailed):
        pool.lead_reassign(actor=manager, lead_id=lead.pk, owner_id=bj.pk, reason=" ")
    with pytest.raises(ValidationFailed):
        pool.lead_reassign(actor=manager, lead_id=lead.pk, owner_id=sh.pk, reason="换人跟进")
    with pytest.raises(PermissionDenied):
        pool.lead_reassign(actor=bj, lead_id=lead.pk, owner_id=bj.pk, reason="x")
    moved = pool.lead_reassign(actor=manager, lead_id=lead.pk, owner_id=bj.pk, reason="换人跟进")
    assert moved.owner == bj
    event = AuditEvent.objects.get(action="lead.reassigned")
    assert event.data["before"] == {"owner": "bj_agent"} and event.data["reason"] == "换人跟进"


def test_pool_page_claim_and_reassign_pages(world, org):
    bj, _bj2, _sh, manager = world
    leads = pooled(1, org)
    client = Client()
    client.force_login(bj)
    page = client.get("/leads/pool/").content.decode()
    assert "今日已领取：0 / 20" in page and "137****0000" in page
    assert client.post(f"/leads/{leads[0].pk}/claim/").status_code == 302
    assert client.post(f"/leads/{leads[0].pk}/claim/").status_code == 404  # no longer in the pool
    boss = Client()
    boss.force_login(manager)
    assert boss.post(f"/leads/{leads[0].pk}/reassign/", {"owner": bj.pk, "reason": "复核"}).status_code == 302
    assert client.post(f"/leads/{leads[0].pk}/reassign/", {"owner": bj.pk, "reason": "x"}).status_code == 403
