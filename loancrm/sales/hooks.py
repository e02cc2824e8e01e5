"""What the lead services tell the follow-up module, inside their own transaction (no signals).

Invariants: assignment opens exactly one first-call task for the new owner of a new lead and cancels the open
tasks of anyone else; a stage move cancels the second follow-up it made moot and, when the lead is closed
(rejected or disbursed), every open task; each event appends one timeline entry.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.accounts.models import User
from loancrm.core.sql import one_of
from loancrm.leads.choices import CLOSED_STAGES, Stage, Validity
from loancrm.leads.models import Lead
from loancrm.sales.choices import InteractionKind, TaskKind, TaskStatus
from loancrm.sales.models import FollowUpTask, Interaction, SlaSettings
from loancrm.sales.tags import apply_tag_rules


def sla_settings() -> SlaSettings:
    return SlaSettings.objects.filter(singleton=1).first() or SlaSettings()


def log_interaction(
    lead: Lead | int,
    kind: str,
    summary: str,
    *,
    actor: Any = None,
    body: str = "",
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Interaction:
    """Append one entry to the lead's timeline."""
    return Interaction.objects.create(
        lead_id=getattr(lead, "pk", lead),
        kind=kind,
        summary=summary[:300],
        body=body,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data or {},
        occurred_at=occurred_at or timezone.now(),
    )


def cancel_open_tasks(tasks: QuerySet[FollowUpTask], now: datetime | None = None) -> int:
    return tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED, closed_at=now or timezone.now())


def arrival_entry(lead: Lead) -> Interaction:
    """The first timeline entry of every lead, read from the lead itself (not stored: the lead row records it)."""
    summary = _("Arrived from %(channel)s") % {"channel": lead.channel.name}
    if lead.campaign:
        summary += f" · {lead.campaign}"
    return Interaction(lead=lead, kind=InteractionKind.APP_EVENT, summary=summary, occurred_at=lead.created_at,
                       data={"event": "created"})  # fmt: skip


def with_arrivals(entries: list[Interaction], leads: list[Lead], limit: int) -> list[Interaction]:
    """``entries`` (newest first, at most ``limit``) with each lead's arrival added where it falls in the list."""
    complete = len(entries) < limit
    oldest = entries[-1].occurred_at if entries else None
    arrivals = [arrival_entry(lead) for lead in leads if complete or (oldest and lead.created_at >= oldest)]
    return sorted(entries + arrivals, key=lambda entry: entry.occurred_at, reverse=True)


def on_duplicate_hit(lead: Lead | int, channel_name: str, campaign: str) -> None:
    summary = _("Submitted again through %(channel)s") % {"channel": channel_name}
    if campaign:
        summary += f" · {campaign}"
    log_interaction(lead, InteractionKind.APP_EVENT, summary, data={"event": "duplicate_hit"})


def on_lead_assigned(lead: Lead, *, actor: Any = None, how: str = "auto") -> FollowUpTask | None:
    """An existing lead has a new owner (claim or reassignment): close others' tasks, open the first-call task if
    none is open, log the assignment. (A lead assigned on intake: ``on_new_lead_assigned``.)"""
    now = timezone.now()
    cancel_open_tasks(FollowUpTask.objects.filter(lead=lead).exclude(assignee=lead.owner_id), now)
    if lead.owner is None:
        return None
    summaries = {
        "auto": _("Assigned to %(owner)s"),
        "claim": _("Claimed from the shared pool by %(owner)s"),
        "manual": _("Reassigned to %(owner)s"),
    }
    owner_name = lead.owner.display_name
    log_interaction(lead, InteractionKind.ASSIGNMENT, summaries[how] % {"owner": owner_name}, actor=actor,
                    data={"owner": lead.owner.username, "how": how})  # fmt: skip
    if lead.stage != Stage.NEW or FollowUpTask.objects.filter(lead=lead, status=TaskStatus.OPEN).exists():
        return None
    due = (lead.assigned_at or now) + timedelta(minutes=sla_settings().first_call_minutes)
    return FollowUpTask.objects.create(
        lead=lead, assignee=lead.owner, kind=TaskKind.FIRST_CALL, due_at=due, stage_at_creation=lead.stage
    )


def on_new_lead_assigned(lead: Lead, agent: Any, *, first_call_minutes: int) -> None:
    """A lead created in this transaction was assigned on intake: log the assignment and open its first-call task.

    The intake hot path: two plain INSERTs (a new lead has no tasks to close), one statement on PostgreSQL.
    ``agent`` carries ``pk``, ``username`` and ``display_name``.
    """
    ops = connection.ops
    now = timezone.now()
    due = (lead.assigned_at or now) + timedelta(minutes=first_call_minutes)
    summary = (_("Assigned to %(owner)s") % {"owner": agent.display_name})[:300]
    entry: list[Any] = [
        lead.pk, InteractionKind.ASSIGNMENT.value, summary, ops.adapt_datetimefield_value(now),
        ops.adapt_json_value({"owner": agent.username, "how": "auto"}, None),
    ]  # fmt: skip
    task: list[Any] = [
        lead.pk, agent.pk, TaskKind.FIRST_CALL.value, TaskStatus.OPEN.value, ops.adapt_datetimefield_value(due),
        lead.stage, ops.adapt_datetimefield_value(now),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH entry AS ({_ENTRY_INSERT}) {_TASK_INSERT}", entry + task)
        else:
            cursor.execute(_ENTRY_INSERT, entry)
            cursor.execute(_TASK_INSERT, task)


_ENTRY_INSERT = (
    "INSERT INTO sales_interaction (lead_id, kind, summary, body, actor_id, occurred_at, recording, provider_link, "
    "data) VALUES (%s, %s, %s, '', NULL, %s, '', '', %s)"
)
_TASK_INSERT = (
    "INSERT INTO sales_followuptask (lead_id, assignee_id, kind, status, due_at, stage_at_creation, note, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, '', %s)"
)


def on_stage_changed(lead: Lead, *, before: str, after: str, actor: Any = None, reason: str = "") -> None:
    now = timezone.now()
    open_tasks = FollowUpTask.objects.filter(lead=lead, status=TaskStatus.OPEN)
    if after in CLOSED_STAGES:
        cancel_open_tasks(open_tasks, now)
    else:
        cancel_open_tasks(open_tasks.filter(kind=TaskKind.SECOND_FOLLOW_UP).exclude(stage_at_creation=after), now)
    summary = _("Stage: %(before)s → %(after)s") % {"before": Stage(before).label, "after": Stage(after).label}
    log_interaction(lead, InteractionKind.STATUS, summary, actor=actor, body=reason,
                    data={"before": before, "after": after})  # fmt: skip
    apply_tag_rules([lead])


def on_returned_to_pool(leads: QuerySet[Lead]) -> int:
    """Leads went back to the pool: their open tasks are cancelled (set-based)."""
    return cancel_open_tasks(FollowUpTask.objects.filter(lead__in=leads))


def on_bulk_intake(channel_name: str, created: list[tuple[int, Any]], hits: list[tuple[int, Any]]) -> None:
    """A bulk import created leads and recorded hits: the same timeline entries and first-call tasks as one by one.

    (The arrival itself is read from the lead row, see ``arrival_entry``.) ``created`` pairs a new lead id with its
    row (``owner_id``, ``assigned_at``, ``validity``); ``hits`` pairs an existing lead id with the repeated row
    (``campaign``). Set-based: the assignment entries and the tasks are each one INSERT … SELECT over the new leads.
    """
    now = timezone.now()
    minutes = timedelta(minutes=sla_settings().first_call_minutes)
    by_time: dict[Any, list[int]] = defaultdict(list)
    for lead_id, row in created:
        if row.owner_id and row.validity == Validity.VALID:
            by_time[row.assigned_at or now].append(lead_id)
    for assigned_at, lead_ids in by_time.items():
        _insert_assignment_entries(lead_ids, now)
        _insert_first_calls(lead_ids, assigned_at + minutes, now)
    again = _("Submitted again through %(channel)s") % {"channel": channel_name}
    Interaction.objects.bulk_create(
        [
            Interaction(lead_id=lead_id, kind=InteractionKind.APP_EVENT, occurred_at=now,
                        summary=(f"{again} · {row.campaign}" if row.campaign else again)[:300],
                        data={"event": "duplicate_hit", "source": "import"})
            for lead_id, row in hits
        ],
        batch_size=2000,
    )  # fmt: skip


def _insert_assignment_entries(lead_ids: list[int], now: datetime) -> None:
    prefix, _sep, suffix = str(_("Assigned to %(owner)s")).partition("%(owner)s")
    ops = connection.ops
    lead, user, entry = (Model._meta.db_table for Model in (Lead, User, Interaction))
    new, in_new = one_of("l.id", lead_ids)
    sql = (
        f"INSERT INTO {entry} (lead_id, kind, summary, body, actor_id, occurred_at, recording, provider_link, data) "  # noqa: S608
        f"SELECT l.id, %s, %s || COALESCE(NULLIF(u.full_name, ''), u.username) || %s, '', NULL, %s, '', '', %s "
        f"FROM {lead} l JOIN {user} u ON u.id = l.owner_id WHERE {new}"
    )
    params = [InteractionKind.ASSIGNMENT.value, prefix, suffix, ops.adapt_datetimefield_value(now),
              ops.adapt_json_value({"how": "import"}, None), *in_new]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_first_calls(lead_ids: list[int], due: datetime, now: datetime) -> None:
    ops = connection.ops
    lead, task = Lead._meta.db_table, FollowUpTask._meta.db_table
    new, in_new = one_of("l.id", lead_ids)
    sql = (
        f"INSERT INTO {task} (lead_id, assignee_id, kind, status, due_at, stage_at_creation, note, created_at) "  # noqa: S608
        f"SELECT l.id, l.owner_id, %s, %s, %s, %s, '', %s FROM {lead} l WHERE {new}"
    )
    params = [TaskKind.FIRST_CALL.value, TaskStatus.OPEN.value, ops.adapt_datetimefield_value(due), Stage.NEW.value,
              ops.adapt_datetimefield_value(now), *in_new]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
