"""Assignment strategies per channel/campaign, on-duty and capacity limits, the configuration page, concurrency."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import NotFound, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.leads.assignment_config import agent_duty_set, assignment_rule_save, parse_pairs
from loancrm.leads.models import AgentDuty, AssignmentRule, Channel, Lead
from loancrm.leads.services import lead_intake


@pytest.fixture
def setup(org):
    Channel.objects.create(code="web", name="官网", team=org.bj_team1)
    agents = {name: make_user(name, role="sales_agent", unit=org.bj_team1) for name in ("amy", "bob")}
    agents["sue"] = make_user("sue", role="sales_agent", unit=org.sh_team1)
    admin = make_user("admin", role="administrator", unit=org.hq)
    return agents, admin


def intake(n: int, **extra):
    return lead_intake(data={"channel": "web", "mobile": f"1390000{n:04d}", **extra}).lead


def owners(leads) -> Counter:
    return Counter(lead.owner.username if lead.owner else None for lead in leads)


def test_round_robin_without_a_rule(setup):
    assert [intake(n).owner.username for n in range(4)] == ["amy", "bob", "amy", "bob"]


def test_weighted(setup):
    _agents, admin = setup
    assignment_rule_save(actor=admin, channel_code="web", campaign="", strategy="weighted",
                         weights={"amy": "3", "bob": "1"})  # fmt: skip
    assert owners(intake(n) for n in range(8)) == Counter({"amy": 6, "bob": 2})


def test_by_region_and_campaign_rule_wins(setup, org):
    _agents, admin = setup
    org.sh_team1.code = "SH1"
    org.sh_team1.save()
    assignment_rule_save(actor=admin, channel_code="web", campaign="", strategy="by_region",
                         regions={"31": "SH1", "上海": "SH1"})  # fmt: skip
    assert intake(1, id_number="310101199001011234").owner.username == "sue"
    assert intake(2, city="上海市").owner.username == "sue"
    assert intake(3, city="北京市").owner.username in ("amy", "bob")
    assignment_rule_save(actor=admin, channel_code="web", campaign="春季", strategy="round_robin", team_code="SH1")
    assert intake(4, campaign="春季", city="北京市").owner.username == "sue"


def test_by_capacity_on_duty_and_full_agents(setup, org):
    agents, admin = setup
    assignment_rule_save(actor=admin, channel_code="web", campaign="", strategy="by_capacity")
    agent_duty_set(actor=admin, user_id=agents["amy"].pk, on_duty=True, capacity=2)
    agent_duty_set(actor=admin, user_id=agents["bob"].pk, on_duty=True, capacity=3)
    leads = [intake(n) for n in range(6)]
    assert owners(leads) == Counter({"bob": 3, "amy": 2, None: 1})
    assert leads[-1].org_unit == org.bj_team1  # nobody free: the team's pool
    agent_duty_set(actor=admin, user_id=agents["bob"].pk, on_duty=False, capacity=10)
    agent_duty_set(actor=admin, user_id=agents["amy"].pk, on_duty=True, capacity=10)
    assert owners(intake(n) for n in range(10, 13)) == Counter({"amy": 3})
    assert AuditEvent.objects.filter(action="lead.agent_duty_changed").count() == 4


def test_configuration_is_validated_scoped_and_audited(setup, org):
    agents, admin = setup
    with pytest.raises(ValidationFailed) as info:
        assignment_rule_save(actor=admin, channel_code="nope", campaign="", strategy="weighted",
                             weights={"amy": "0", "ghost": "2"}, regions={"31": "NOPE"})  # fmt: skip
    assert set(info.value.fields) == {"channel", "weights", "regions"}
    assert not AssignmentRule.objects.exists()
    rule = assignment_rule_save(actor=admin, channel_code="web", campaign="", strategy="weighted", weights={"amy": "2"})
    again = assignment_rule_save(actor=admin, channel_code="web", campaign="", strategy="round_robin")
    assert again.pk == rule.pk and AssignmentRule.objects.count() == 1
    event = AuditEvent.objects.filter(action="lead.assignment_rule_saved").order_by("id").last()
    assert event.data["before"]["weights"] == {"amy": 2} and event.data["after"]["strategy"] == "round_robin"
    sh_lead = make_user("shl", role="sales_lead", unit=org.sh_team1)
    with pytest.raises(NotFound):
        agent_duty_set(actor=sh_lead, user_id=agents["amy"].pk, on_duty=False, capacity=1)
    assert not AgentDuty.objects.filter(user=agents["amy"], on_duty=False).exists()
    assert parse_pairs("amy = 3\n\n上海：SH1\n") == {"amy": "3", "上海": "SH1"}
    with pytest.raises(ValueError, match="nonsense"):
        parse_pairs("nonsense")


def test_page(setup):
    _agents, admin = setup
    client = Client()
    client.force_login(admin)
    assert 'data-testid="duty-table"' in client.get("/leads/assignment/").content.decode()
    bad = client.post("/leads/assignment/", {"channel": "web", "strategy": "weighted", "weights": "amy"})
    assert bad.status_code == 422 and "无法识别" in bad.content.decode()
    ok = client.post("/leads/assignment/", {"channel": "web", "strategy": "weighted", "weights": "amy=2\nbob=1",
                                            "active": "on"})  # fmt: skip
    assert ok.status_code == 302 and AssignmentRule.objects.get().weights == {"amy": 2, "bob": 1}
    agent = Client()
    agent.force_login(_agents["amy"])
    assert agent.get("/leads/assignment/").status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions are a PostgreSQL test")
@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_exceed_capacity(org):
    Channel.objects.create(code="web", name="官网", team=org.bj_team1)
    agent = make_user("solo", role="sales_agent", unit=org.bj_team1)
    AgentDuty.objects.create(user=agent, capacity=3)
    barrier = threading.Barrier(10)

    def run(n: int) -> None:
        try:
            barrier.wait()
            intake(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Lead.objects.count() == 10 and Lead.objects.filter(owner=agent).count() == 3


def test_a_full_agent_loses_their_turn_so_the_next_intakes_go_straight_to_agents_with_room(setup):
    agents, _admin = setup
    AgentDuty.objects.create(user=agents["amy"], capacity=1)
    assert intake(0).owner.username == "amy"
    booked_at = AgentDuty.objects.get(user=agents["amy"]).last_assigned_at
    assert [intake(n).owner.username for n in range(1, 4)] == ["bob", "bob", "bob"]
    amy = AgentDuty.objects.get(user=agents["amy"])
    assert amy.assigned_total == 1 and amy.last_assigned_at > booked_at  # skipped: her turn moved on
