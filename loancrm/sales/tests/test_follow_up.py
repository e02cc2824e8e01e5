"""Follow-ups: required points and intentions, refusal needs a reason, tasks closed and scheduled, pipeline moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loancrm.core.errors import NotFound, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.leads.choices import Stage
from loancrm.leads.models import Lead
from loancrm.leads.pipeline import lead_stage_change
from loancrm.sales.choices import InteractionKind, TaskKind, TaskStatus
from loancrm.sales.models import FollowUp, FollowUpTask, Interaction, RefusalReason
from loancrm.sales.services import followup_record

GOOD = {"points": "介绍了产品利率和期限", "intention_before": "low", "intention_after": "high", "outcome": "positive"}


def test_assignment_opens_the_first_call_task(team):
    (task,) = FollowUpTask.objects.filter(lead=team.lead)
    assert (task.kind, task.status, task.assignee) == (TaskKind.FIRST_CALL, TaskStatus.OPEN, team.agent)
    assert task.due_at - team.lead.assigned_at == timedelta(minutes=5)
    kinds = list(Interaction.objects.filter(lead=team.lead).values_list("kind", flat=True))
    assert kinds == [InteractionKind.ASSIGNMENT]  # the arrival is read from the lead row


def test_first_follow_up_contacts_the_lead_and_schedules_the_second(team):
    follow_up = followup_record(actor=team.agent, lead_id=team.lead.pk, **GOOD)
    lead = Lead.objects.get(pk=team.lead.pk)
    assert lead.stage == Stage.CONTACTED
    tasks = {t.kind: t for t in FollowUpTask.objects.filter(lead=lead)}
    assert tasks[TaskKind.FIRST_CALL].status == TaskStatus.DONE
    second = tasks[TaskKind.SECOND_FOLLOW_UP]
    assert second.status == TaskStatus.OPEN and second.stage_at_creation == Stage.CONTACTED
    assert second.due_at - follow_up.created_at == timedelta(days=3)
    entry = Interaction.objects.filter(lead=lead, kind=InteractionKind.FOLLOW_UP).get()
    assert entry.body == GOOD["points"] and "低 → 高" in entry.summary
    assert AuditEvent.objects.filter(action="sales.follow_up_recorded").count() == 1


def test_progress_cancels_the_second_follow_up(team):
    followup_record(actor=team.agent, lead_id=team.lead.pk, **GOOD)
    lead_stage_change(actor=team.agent, lead_id=team.lead.pk, stage=Stage.INTERESTED)
    second = FollowUpTask.objects.get(lead=team.lead, kind=TaskKind.SECOND_FOLLOW_UP)
    assert second.status == TaskStatus.CANCELLED and second.closed_at is not None


def test_agreed_call_back_becomes_the_next_task(team):
    when = timezone.now() + timedelta(days=1)
    followup_record(actor=team.agent, lead_id=team.lead.pk, next_contact_at=when, **GOOD)
    open_tasks = FollowUpTask.objects.filter(lead=team.lead, status=TaskStatus.OPEN)
    assert [(t.kind, t.due_at) for t in open_tasks] == [(TaskKind.CALLBACK, when)]


def test_refusal_needs_a_reason_and_closes_the_lead(team):
    refused = {**GOOD, "outcome": "refused", "intention_after": "none"}
    with pytest.raises(ValidationFailed) as info:
        followup_record(actor=team.agent, lead_id=team.lead.pk, **refused)
    assert set(info.value.fields) == {"refusal_reason"}
    assert not FollowUp.objects.exists() and not AuditEvent.objects.filter(action__startswith="sales.").exists()
    reason = RefusalReason.objects.get(label="利率太高")
    followup_record(actor=team.agent, lead_id=team.lead.pk, refusal_reason_id=reason.pk, **refused)
    lead = Lead.objects.get(pk=team.lead.pk)
    assert lead.stage == Stage.REJECTED
    assert lead.stage_changes.get().reason == "利率太高"
    assert not FollowUpTask.objects.filter(lead=lead, status=TaskStatus.OPEN).exists()
    with pytest.raises(ValidationFailed) as closed:
        followup_record(actor=team.agent, lead_id=lead.pk, **GOOD)
    assert "lead" in closed.value.fields


def test_bad_input_writes_nothing(team):
    bad = {"points": " ", "intention_before": "meh", "intention_after": "high", "outcome": "great"}
    with pytest.raises(ValidationFailed) as info:
        followup_record(actor=team.agent, lead_id=team.lead.pk, next_contact_at=timezone.now(), **bad)
    assert set(info.value.fields) == {"points", "intention_before", "outcome", "next_contact_at"}
    assert str(info.value.fields["points"][0]) == "请填写沟通要点。"
    assert not FollowUp.objects.exists()
    assert FollowUpTask.objects.get(lead=team.lead).status == TaskStatus.OPEN


def test_scope(team):
    with pytest.raises(NotFound):
        followup_record(actor=team.other_agent, lead_id=team.lead.pk, **GOOD)
    with pytest.raises(NotFound):
        followup_record(actor=team.outsider, lead_id=team.lead.pk, **GOOD)
    followup_record(actor=team.leader, lead_id=team.lead.pk, **GOOD)
    assert FollowUp.objects.get().author == team.leader
    assert FollowUpTask.objects.get(kind=TaskKind.SECOND_FOLLOW_UP).assignee == team.agent
