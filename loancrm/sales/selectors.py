"""Reads of follow-up data scoped to the viewer: tasks (own / team / branch / all) and a lead's timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from loancrm.accounts.scope import scope_q
from loancrm.leads.models import Lead
from loancrm.leads.selectors import access_lead
from loancrm.sales.choices import TaskStatus
from loancrm.sales.hooks import with_arrivals
from loancrm.sales.models import FollowUp, FollowUpTask, Interaction, RefusalReason


def tasks_visible_to(viewer: Any) -> QuerySet[FollowUpTask]:
    if not viewer.has_perm("sales.view_followuptask"):
        return FollowUpTask.objects.none()
    return FollowUpTask.objects.filter(scope_q(viewer, owner="assignee", org_unit="lead__org_unit")).select_related(
        "lead", "assignee"
    )


def filter_tasks(
    qs: QuerySet[FollowUpTask],
    *,
    status: str = "",
    kind: str = "",
    overdue: str = "",
    mine: str = "",
    viewer: Any = None,
) -> QuerySet[FollowUpTask]:
    status = status or (TaskStatus.OPEN if not overdue else "")
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.filter(status=TaskStatus.OPEN, due_at__lt=timezone.now())
    if mine and viewer is not None:
        qs = qs.filter(assignee=viewer)
    return qs


def overdue_count(viewer: Any) -> int:
    return tasks_visible_to(viewer).filter(status=TaskStatus.OPEN, due_at__lt=timezone.now()).count()


def timeline(viewer: Any, lead_id: int, limit: int = 200) -> list[Interaction]:
    """The lead's timeline, newest first (404 when the viewer may not see the lead)."""
    lead = access_lead(viewer, lead_id)
    entries = list(Interaction.objects.filter(lead=lead).select_related("actor")[:limit])
    return with_arrivals(entries, [lead], limit)


def customer_timeline(viewer: Any, leads: list[Lead], limit: int = 200) -> list[Interaction] | None:
    """The interactions of a customer's (already authorised) leads, newest first; None without the permission."""
    if not viewer.has_perm("sales.view_interaction"):
        return None
    entries = list(Interaction.objects.filter(lead__in=leads).select_related("actor", "lead")[:limit])
    return with_arrivals(entries, leads, limit)


def follow_ups(lead: Lead) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(lead=lead).select_related("author", "refusal_reason")


def access_recording(viewer: Any, interaction_id: int) -> Interaction:
    entry = Interaction.objects.filter(pk=interaction_id).exclude(recording="").first()
    if entry is None:
        raise Http404
    access_lead(viewer, entry.lead_id)
    return entry


def active_refusal_reasons() -> QuerySet[RefusalReason]:
    return RefusalReason.objects.filter(active=True)
