"""Set-based intake of one chunk: outcomes per row, in-chunk and existing duplicates, replays, pre-filter,
round-robin assignment under capacity continuing across chunks, one audit event per chunk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loancrm.accounts.tests.factories import make_user
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
    from loancrm.core.china_ids import id_check_digit

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
