"""Tasks: reassignment and the pool move them, overdue ones are reported once to the team's sales lead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loancrm.core.errors import NotFound, ValidationFailed
from loancrm.core.models import Notification
from loancrm.leads.pool import lead_reassign, return_stale_leads
from loancrm.sales.choices import TaskKind, TaskStatus
from loancrm.sales.models import FollowUpTask
from loancrm.sales.services import report_overdue_tasks, task_close


def test_reassignment_moves_the_first_call(team):
    lead_reassign(actor=team.leader, lead_id=team.lead.pk, owner_id=team.other_agent.pk, reason="请假")
    tasks = FollowUpTask.objects.filter(lead=team.lead).order_by("pk")
    assert [(t.assignee, t.status) for t in tasks] == [
        (team.agent, TaskStatus.CANCELLED), (team.other_agent, TaskStatus.OPEN)
    ]  # fmt: skip


def test_return_to_pool_cancels_open_tasks(team):
    returned = return_stale_leads(now=timezone.now() + timedelta(days=10))
    assert returned == 1
    assert FollowUpTask.objects.get(lead=team.lead).status == TaskStatus.CANCELLED


def test_overdue_tasks_are_reported_once_to_the_sales_lead(team, org):
    later = timezone.now() + timedelta(minutes=6)
    assert report_overdue_tasks(now=timezone.now()) == 0
    assert report_overdue_tasks(now=later) == 1
    (note,) = Notification.objects.all()
    assert (
        note.recipient == team.leader
        and note.title == "1 个跟进任务已逾期"
        and note.body == f"客户经理：{team.agent.display_name}"
    )
    assert report_overdue_tasks(now=later + timedelta(minutes=5)) == 0
    assert Notification.objects.count() == 1


def test_close_and_cancel(team):
    task = FollowUpTask.objects.get(lead=team.lead)
    with pytest.raises(NotFound):
        task_close(actor=team.other_agent, task_id=task.pk, done=True)
    with pytest.raises(ValidationFailed):
        task_close(actor=team.agent, task_id=task.pk, done=False, note="")
    task_close(actor=team.agent, task_id=task.pk, done=False, note="客户要求下周再联系")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and task.note == "客户要求下周再联系"
    with pytest.raises(ValidationFailed):
        task_close(actor=team.leader, task_id=task.pk, done=True)
    assert task.kind == TaskKind.FIRST_CALL
