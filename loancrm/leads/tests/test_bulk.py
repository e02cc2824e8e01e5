"""Set-based intake of one chunk: outcomes per row, in-chunk and existing duplicates, replays, pre-filter,
assignment by the channel's or campaign's rule under capacity continuing across chunks (the same owners as one by
one), one audit event per chunk."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from loancrm.accounts.tests.factories import make_user
from loancrm.core.china_ids import id_check_digit
from loancrm.core.models import AuditEvent
from loancrm.leads.bulk import CREATED, DUPLICATE, INVALID, lead_intake_bulk
from loancrm.leads.choices import Validity
from loancrm.leads.models import AgentDuty, Channel, Lead, LeadHit, PrefilterRules
from loancrm.leads.services import lead_intake


@pytest.fixture
def setup(org):
    agents = [make_user(f"agent{i}", role="sales_agent", unit=org.bj_team1) for i in range(2)]
    channel = Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1)
    return agents, channel


def test_outcomes_per_row_in_order(setup):
    _agents, channel = setup
    existing = lead_intake(data={"channel": "baidu", "mobile": "13900000001", "external_id": "E0"}).lead
    owner = existing.owner
    rows = [
        {"mobile": "13800000001", "external_id": "E1"},
        {"mobile": "bad"},
        {"mobile": "13800000001"},  # same mobile as row 0
        {"mobile": "13800000003", "external_id": "E1"},  # same external id as row 0: a replay, no hit
        {"mobile": "13900000001"},  # existing lead
        {"mobile": "13800000005", "external_id": "E0"},  # existing external id: a replay, no hit
    ]
    result = lead_intake_bulk(channel=channel, rows=rows)
    first = Lead.objects.get(mobile_bidx=Lead._meta.get_field("mobile_bidx").digest("13800000001"))
    assert [(r.outcome, r.lead_id) for r in result.rows] == [
        (CREATED, first.pk), (INVALID, None), (DUPLICATE, first.pk), (DUPLICATE, first.pk),
        (DUPLICATE, existing.pk), (DUPLICATE, existing.pk),
    ]  # fmt: skip
    assert result.summary() == {"created": 1, "duplicates": 4, "invalid": 1, "prefilter_invalid": 0}
    existing.refresh_from_db()
    first.refresh_from_db()
    assert (existing.hit_count, existing.owner, first.hit_count) == (1, owner, 1)
    assert LeadHit.objects.count() == 2
    event = AuditEvent.objects.get(action="lead.bulk_intake")
    assert event.data == {
        "channel": "baidu", "created": 1, "duplicates": 4, "invalid": 1, "prefilter_invalid": 0, "assigned": 1,
    }  # fmt: skip


def test_round_robin_respects_capacity_and_continues_across_chunks(setup):
    agents, channel = setup
    first = lead_intake_bulk(channel=channel, rows=[{"mobile": f"1380000000{i}"} for i in range(3)])
    second = lead_intake_bulk(channel=channel, rows=[{"mobile": f"1390000000{i}"} for i in range(3)])
    owners = [Lead.objects.get(pk=r.lead_id).owner for r in first.rows + second.rows]
    assert owners == [agents[0], agents[1], agents[0], agents[1], agents[0], agents[1]]
    AgentDuty.objects.filter(user=agents[0]).update(capacity=4)
    AgentDuty.objects.filter(user=agents[1]).update(on_duty=False)
    third = lead_intake_bulk(channel=channel, rows=[{"mobile": f"1370000000{i}"} for i in range(3)])
    pooled = [Lead.objects.get(pk=r.lead_id) for r in third.rows]
    assert [lead.owner for lead in pooled] == [agents[0], None, None]
    assert all(lead.org_unit == channel.team for lead in pooled[1:])


def test_the_pre_filter_marks_created_leads_invalid_and_unassigned(setup):
    _agents, channel = setup
    PrefilterRules.objects.create(singleton=1, allowed_province_codes=["31"])
    beijing = "11010519900615001" + id_check_digit("11010519900615001")
    result = lead_intake_bulk(channel=channel, rows=[{"mobile": "13800000001", "id_number": beijing}])
    lead = Lead.objects.get()
    assert (result.rows[0].outcome, result.rows[0].prefilter_invalid) == (CREATED, True)
    assert (lead.validity, lead.invalid_reason, lead.owner) == (Validity.INVALID, "province 11 not served", None)


def test_imported_leads_get_their_timeline_and_first_call_task(setup):
    from loancrm.sales.models import FollowUpTask, Interaction

    agents, channel = setup
    existing = lead_intake(data={"channel": "baidu", "mobile": "13900000001"}).lead
    rows = [{"mobile": "13800000001", "campaign": "展会"}, {"mobile": "13900000001"}]
    result = lead_intake_bulk(channel=channel, rows=rows)
    new = Lead.objects.get(pk=result.rows[0].lead_id)
    (task,) = FollowUpTask.objects.filter(lead=new)
    assert (task.kind, task.assignee, task.due_at - new.assigned_at) == ("first_call", new.owner, timedelta(minutes=5))
    summaries = set(Interaction.objects.filter(lead=new).values_list("summary", flat=True))
    assert summaries == {f"分配给{new.owner.display_name}"}
    assert Interaction.objects.filter(lead=existing, summary="通过百度信息流再次提交").count() == 1
    assert new.owner in agents


# Assignment by the channel's / campaign's rule (the same choices as single intake, row by row).


@pytest.fixture
def team_of_three(org):
    """amy and bob in 北京一组 (the channel's team), sue in 上海一组 (code SH1); an admin to save rules."""
    org.sh_team1.code = "SH1"
    org.sh_team1.save()
    agents = {name: make_user(name, role="sales_agent", unit=org.bj_team1) for name in ("amy", "bob")}
    agents["sue"] = make_user("sue", role="sales_agent", unit=org.sh_team1)
    channel = Channel.objects.create(code="web", name="官网", team=org.bj_team1)
    return agents, channel, make_user("admin", role="administrator", unit=org.hq)


def valid_id(first17):
    return first17 + id_check_digit(first17)


def _rule(admin, **fields):
    from loancrm.leads.assignment_config import assignment_rule_save

    return assignment_rule_save(actor=admin, channel_code="web", **{"campaign": "", **fields})


def _owners(result):
    leads = Lead.objects.in_bulk([r.lead_id for r in result.rows])
    return [leads[r.lead_id].owner.username if leads[r.lead_id].owner else None for r in result.rows]


def _rows(n, start=0, **extra):
    return [{"mobile": f"1390000{start + i:04d}", **extra} for i in range(n)]


def test_weighted_distributes_by_weight_in_arrival_order(team_of_three):
    _agents, channel, admin = team_of_three
    _rule(admin, strategy="weighted", weights={"amy": "3", "bob": "1"})
    result = lead_intake_bulk(channel=channel, rows=_rows(8))
    assert _owners(result) == ["amy", "amy", "bob", "amy", "amy", "amy", "bob", "amy"]
    totals = dict(AgentDuty.objects.values_list("user__username", "assigned_total"))
    assert (totals["amy"], totals["bob"]) == (6, 2)
    second = lead_intake_bulk(channel=channel, rows=_rows(4, start=8))  # the shares carry over to the next chunk
    assert _owners(second) == ["amy", "amy", "bob", "amy"]


def test_by_capacity_fills_the_most_free_room_first_and_never_beyond(team_of_three):
    agents, channel, admin = team_of_three
    _rule(admin, strategy="by_capacity")
    AgentDuty.objects.create(user=agents["amy"], capacity=2)
    AgentDuty.objects.create(user=agents["bob"], capacity=3)
    result = lead_intake_bulk(channel=channel, rows=_rows(6))
    assert _owners(result) == ["bob", "amy", "bob", "amy", "bob", None]
    pooled = Lead.objects.get(pk=result.rows[-1].lead_id)
    assert (pooled.owner, pooled.org_unit) == (None, channel.team)
    assert lead_intake_bulk(channel=channel, rows=_rows(2, start=6)).summary()["created"] == 2
    assert Counter(Lead.objects.values_list("owner__username", flat=True)) == Counter({"bob": 3, "amy": 2, None: 3})


def test_by_region_chooses_the_team_per_row_and_the_campaign_rule_wins(team_of_three, org):
    _agents, channel, admin = team_of_three
    _rule(admin, strategy="by_region", regions={"31": "SH1", "上海": "SH1"})
    _rule(admin, campaign="春季", strategy="round_robin", team_code="SH1")
    shanghai_id = valid_id("31010119900101123")
    rows = [
        {"mobile": "13900000001", "id_number": shanghai_id},  # ID number prefix 31
        {"mobile": "13900000002", "city": "上海市"},  # city
        {"mobile": "13900000003", "city": "北京市"},  # no match: the channel's team
        {"mobile": "13900000004", "region_code": "310104"},  # region code
        {"mobile": "13900000005", "city": "北京市", "campaign": "春季"},  # the campaign's rule
        {"mobile": "13900000006", "city": "北京市"},
    ]
    result = lead_intake_bulk(channel=channel, rows=rows)
    assert _owners(result) == ["sue", "sue", "amy", "sue", "sue", "bob"]
    units = Lead.objects.in_bulk([r.lead_id for r in result.rows])
    assert [units[r.lead_id].org_unit for r in result.rows] == [org.sh_team1] * 2 + [org.bj_team1] + [
        org.sh_team1
    ] * 2 + [org.bj_team1]


def test_only_on_duty_agents_with_room_and_pool_to_the_rule_team(team_of_three, org):
    agents, channel, admin = team_of_three
    _rule(admin, strategy="round_robin", team_code="SH1")
    AgentDuty.objects.create(user=agents["sue"], capacity=1)
    result = lead_intake_bulk(channel=channel, rows=_rows(3))
    assert _owners(result) == ["sue", None, None]
    assert set(Lead.objects.filter(owner=None).values_list("org_unit", flat=True)) == {org.sh_team1.pk}
    AgentDuty.objects.filter(user=agents["sue"]).update(on_duty=False, capacity=10)
    assert _owners(lead_intake_bulk(channel=channel, rows=_rows(1, start=3))) == [None]


@pytest.mark.parametrize(
    ("strategy", "extra"),
    [
        ("round_robin", {}),
        ("weighted", {"weights": {"amy": "2", "bob": "3"}}),
        ("by_capacity", {}),
        ("by_region", {"regions": {"31": "SH1", "北京": "T-BJ-1"}}),
    ],
)
def test_bulk_assigns_exactly_as_intake_one_by_one(team_of_three, strategy, extra):
    from django.db import transaction

    agents, channel, admin = team_of_three
    _rule(admin, strategy=strategy, **extra)
    AgentDuty.objects.create(user=agents["amy"], capacity=4, assigned_total=1)
    AgentDuty.objects.create(user=agents["bob"], capacity=6)
    cities = ["北京", "上海", "", "北京市", "杭州"]
    rows = [{"mobile": f"1390000{i:04d}", "city": cities[i % 5], "channel": "web"} for i in range(14)]
    rows[3]["region_code"], rows[8]["id_number"] = "310115", valid_id("31010119900101123")
    with transaction.atomic():
        one_by_one = [lead_intake(data=row).lead for row in rows]
        expected = [lead.owner.username if lead.owner else None for lead in one_by_one]
        transaction.set_rollback(True)
    assert _owners(lead_intake_bulk(channel=channel, rows=rows)) == expected
    assert None in expected and len(set(expected)) > 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions are a PostgreSQL test")
@pytest.mark.django_db(transaction=True)
def test_concurrent_chunks_and_intakes_never_exceed_capacity(org):
    import threading

    from django.db import connections

    channel = Channel.objects.create(code="web", name="官网", team=org.bj_team1)
    agent = make_user("solo", role="sales_agent", unit=org.bj_team1)
    AgentDuty.objects.create(user=agent, capacity=5)
    barrier = threading.Barrier(6)

    def chunk(n: int) -> None:
        try:
            barrier.wait()
            lead_intake_bulk(channel=channel, rows=_rows(4, start=10 * n))
        finally:
            connections.close_all()

    def single(n: int) -> None:
        try:
            barrier.wait()
            lead_intake(data={"channel": "web", "mobile": f"1370000{n:04d}"})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=chunk, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=single, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Lead.objects.count() == 15 and Lead.objects.filter(owner=agent).count() == 5
