"""Follow-up writes: records, manual interactions, tasks, refusal reasons, SLA settings, overdue reports.

Invariants: only a user who may work the lead (its owner, or a manager whose scope covers it) records on it;
a follow-up closes the lead's open tasks and schedules the next one (the agreed call-back, or the second
follow-up after the SLA days); a refusal closes the lead through the pipeline with its reason; every write is
audited in its transaction; a refused write leaves nothing behind.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from loancrm.accounts.models import OrgUnit, User
from loancrm.accounts.scope import scope_q
from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.core.notifications import notify
from loancrm.leads.choices import Stage, Validity
from loancrm.leads.pipeline import lead_stage_change
from loancrm.sales.access import workable_lead
from loancrm.sales.choices import MANUAL_KINDS, ContactMethod, Intention, InteractionKind, Outcome, TaskKind, TaskStatus
from loancrm.sales.hooks import CLOSED_STAGES, cancel_open_tasks, log_interaction, sla_settings
from loancrm.sales.models import FollowUp, FollowUpTask, Interaction, RefusalReason, SlaSettings
from loancrm.sales.tags import apply_tag_rules

RECORDING_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "m4a": "audio/mp4", "amr": "audio/amr", "ogg": "audio/ogg"}
MAX_RECORDING_BYTES = 20 * 1024 * 1024


def _check_choice(value: str, choices: Any, field: str, errors: dict[str, list[str]]) -> None:
    if value not in choices.values:
        errors[field] = [_("Choose one of the allowed values.")]


@transaction.atomic
def followup_record(
    *,
    actor: Any,
    lead_id: int,
    points: str,
    intention_before: str,
    intention_after: str,
    outcome: str,
    method: str = ContactMethod.CALL,
    refusal_reason_id: int | None = None,
    next_contact_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    """Record a follow-up (see module invariants); a first contact moves a new lead to "contacted"."""
    lead = workable_lead(actor, lead_id)
    errors: dict[str, list[str]] = {}
    if not points.strip():
        errors["points"] = [_("Write down the points discussed.")]
    elif len(points) > 2000:
        errors["points"] = [_("At most 2,000 characters.")]
    _check_choice(method, ContactMethod, "method", errors)
    _check_choice(intention_before, Intention, "intention_before", errors)
    _check_choice(intention_after, Intention, "intention_after", errors)
    _check_choice(outcome, Outcome, "outcome", errors)
    reason = None
    if outcome == Outcome.REFUSED:
        reason = RefusalReason.objects.filter(pk=refusal_reason_id, active=True).first() if refusal_reason_id else None
        if reason is None:
            errors["refusal_reason"] = [_("Choose the reason the customer declined.")]
    if next_contact_at is not None and next_contact_at <= timezone.now():
        errors["next_contact_at"] = [_("The next contact must be in the future.")]
    if lead.validity == Validity.INVALID or lead.stage in CLOSED_STAGES:
        errors["lead"] = [_("This lead is closed; no further follow-up is recorded on it.")]
    if errors:
        raise ValidationFailed(fields=errors)
    is_first = not FollowUp.objects.filter(lead=lead).exists()
    follow_up = FollowUp.objects.create(
        lead=lead, author=actor, method=method, points=points.strip(), intention_before=intention_before,
        intention_after=intention_after, outcome=outcome, refusal_reason=reason, next_contact_at=next_contact_at,
    )  # fmt: skip
    now = follow_up.created_at
    FollowUpTask.objects.filter(lead=lead, status=TaskStatus.OPEN).update(status=TaskStatus.DONE, closed_at=now)
    summary = _("%(method)s · intention %(before)s → %(after)s · %(outcome)s") % {
        "method": ContactMethod(method).label, "before": Intention(intention_before).label,
        "after": Intention(intention_after).label, "outcome": Outcome(outcome).label,
    }  # fmt: skip
    if reason is not None:
        summary += f" · {reason.label}"
    log_interaction(lead, InteractionKind.FOLLOW_UP, summary, actor=actor, body=follow_up.points,
                    data={"follow_up": follow_up.pk, "outcome": outcome})  # fmt: skip
    audit_event(actor, "sales.follow_up_recorded", lead,
                {"outcome": outcome, "intention": [intention_before, intention_after],
                 "refusal_reason": reason.label if reason else None}, request)  # fmt: skip
    if outcome == Outcome.REFUSED:
        assert reason is not None
        lead_stage_change(actor=actor, lead_id=lead.pk, stage=Stage.REJECTED, reason=reason.label, request=request)
        return follow_up  # the stage change re-evaluated the tags
    if lead.stage == Stage.NEW and outcome != Outcome.UNREACHABLE:
        lead_stage_change(actor=actor, lead_id=lead.pk, stage=Stage.CONTACTED, request=request)
        lead.refresh_from_db(fields=["stage"])
    else:
        apply_tag_rules([lead])
    assignee = lead.owner or actor
    if next_contact_at is not None:
        FollowUpTask.objects.create(lead=lead, assignee=assignee, kind=TaskKind.CALLBACK, due_at=next_contact_at,
                                    stage_at_creation=lead.stage)  # fmt: skip
    elif is_first or outcome == Outcome.UNREACHABLE:
        due = now + timedelta(days=sla_settings().second_follow_up_days)
        FollowUpTask.objects.create(lead=lead, assignee=assignee, kind=TaskKind.SECOND_FOLLOW_UP, due_at=due,
                                    stage_at_creation=lead.stage)  # fmt: skip
    return follow_up


def _check_recording(recording: UploadedFile | None) -> list[str]:
    if recording is None:
        return []
    suffix = (recording.name or "").rsplit(".", 1)[-1].lower()
    if suffix not in RECORDING_TYPES:
        return [_("Upload an audio file (%(types)s).") % {"types": ", ".join(sorted(RECORDING_TYPES))}]
    if (recording.size or 0) > MAX_RECORDING_BYTES:
        return [_("The recording is larger than 20 MB.")]
    if not recording.size:
        return [_("The file is empty.")]
    return []


@transaction.atomic
def interaction_add(
    *,
    actor: Any,
    lead_id: int,
    kind: str,
    summary: str,
    body: str = "",
    occurred_at: datetime | None = None,
    recording: UploadedFile | None = None,
    provider_link: str = "",
    request: HttpRequest | None = None,
) -> Interaction:
    """A call, SMS, note or meeting added by hand to the timeline (a call may carry its recording)."""
    lead = workable_lead(actor, lead_id)
    errors: dict[str, list[str]] = {}
    if kind not in MANUAL_KINDS:
        errors["kind"] = [_("Choose one of the allowed values.")]
    if not summary.strip():
        errors["summary"] = [_("Write a short summary.")]
    if occurred_at is not None and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = [_("An interaction cannot be in the future.")]
    if recording_errors := _check_recording(recording):
        errors["recording"] = recording_errors
    if provider_link and not provider_link.startswith(("https://", "http://")):
        errors["provider_link"] = [_("Enter a web address.")]
    if errors:
        raise ValidationFailed(fields=errors)
    entry = log_interaction(lead, kind, summary.strip(), actor=actor, body=body.strip(), occurred_at=occurred_at)
    if recording is not None or provider_link:
        if recording is not None:
            entry.recording.save(recording.name or "recording", recording, save=False)
        entry.provider_link = provider_link
        entry.save(update_fields=["recording", "provider_link"])
    audit_event(actor, "sales.interaction_added", lead, {"kind": kind, "recording": bool(recording)}, request)
    return entry


@transaction.atomic
def task_close(*, actor: Any, task_id: int, done: bool, note: str = "", request: HttpRequest | None = None) -> None:
    """Mark an open task done or cancel it (its assignee, or a manager whose scope covers the lead)."""
    task = (
        FollowUpTask.objects.select_for_update(of=("self",))
        .filter(scope_q(actor, owner="assignee", org_unit="lead__org_unit"), pk=task_id)
        .first()
    )
    if task is None or not actor.has_perm("sales.add_followup"):
        raise NotFound()
    if task.status != TaskStatus.OPEN:
        raise ValidationFailed(_("This task is already closed."))
    if not done and not note.strip():
        raise ValidationFailed(fields={"note": [_("Say why the task is cancelled.")]})
    task.status = TaskStatus.DONE if done else TaskStatus.CANCELLED
    task.closed_at, task.note = timezone.now(), note.strip()[:200]
    task.save(update_fields=["status", "closed_at", "note"])
    audit_event(actor, "sales.task_closed", task.lead, {"task": task.pk, "status": task.status, "note": task.note},
                request)  # fmt: skip


def report_overdue_tasks(*, now: datetime | None = None) -> int:
    """Tell each team's sales leads about the tasks of their team that became overdue since the last report.

    Tasks of closed leads are cancelled first. Each overdue task is reported once (``overdue_reported_at``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        cancel_open_tasks(FollowUpTask.objects.filter(lead__stage__in=CLOSED_STAGES), now)
        overdue = list(
            FollowUpTask.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(status=TaskStatus.OPEN, due_at__lt=now, overdue_reported_at__isnull=True)
            .select_related("assignee__org_unit")
            .order_by("pk")[:5000]
        )
        by_unit: dict[OrgUnit | None, list[FollowUpTask]] = defaultdict(list)
        for task in overdue:
            by_unit[task.assignee.org_unit].append(task)
        for unit, tasks in by_unit.items():
            leaders = _sales_leads_over(unit)
            agents = sorted({task.assignee.display_name for task in tasks})
            notify(
                leaders,
                kind="sales.overdue_tasks",
                title=ngettext("%(n)d follow-up task is overdue", "%(n)d follow-up tasks are overdue", len(tasks))
                % {"n": len(tasks)},
                body=_("Agents: %(agents)s") % {"agents": "、".join(agents)},
                link="/sales/tasks/?overdue=1",
            )
        FollowUpTask.objects.filter(pk__in=[task.pk for task in overdue]).update(overdue_reported_at=now)
        if overdue:
            audit_event(None, "sales.overdue_reported", None, {"tasks": len(overdue), "teams": len(by_unit)})
    return len(overdue)


def _sales_leads_over(unit: OrgUnit | None) -> list[User]:
    """Active sales leads of ``unit`` or, when it has none, of the nearest enclosing unit that has some."""
    leaders = User.objects.filter(is_active=True, groups__role__code="sales_lead")
    while unit is not None:
        found = list(leaders.filter(org_unit=unit))
        if found:
            return found
        unit = unit.parent
    return list(leaders.filter(org_unit__isnull=True))


@transaction.atomic
def refusal_reason_save(
    *, actor: Any, label: str, position: int = 100, active: bool = True, reason_id: int | None = None,
    request: HttpRequest | None = None,
) -> RefusalReason:  # fmt: skip
    """Add a refusal reason or change one (retire with ``active=False``; reasons in use are never deleted)."""
    if not actor.has_perm("sales.change_refusalreason"):
        raise PermissionDenied()
    label = label.strip()
    if not label:
        raise ValidationFailed(fields={"label": [_("This field is required.")]})
    reason: RefusalReason | None = RefusalReason()
    duplicate = RefusalReason.objects.filter(label=label)
    if reason_id is not None:
        duplicate = duplicate.exclude(pk=reason_id)
        reason = RefusalReason.objects.select_for_update().filter(pk=reason_id).first()
    if duplicate.exists():
        raise ValidationFailed(fields={"label": [_("This reason is already in the list.")]})
    if reason is None:
        raise NotFound()
    before = {"label": reason.label, "position": reason.position, "active": reason.active} if reason.pk else None
    reason.label, reason.position, reason.active = label[:60], position, active
    reason.save()
    after = {"label": reason.label, "position": reason.position, "active": reason.active}
    audit_event(actor, "sales.refusal_reason_saved", reason, {"before": before, "after": after}, request)
    return reason


@transaction.atomic
def sla_update(
    *, actor: Any, first_call_minutes: int, second_follow_up_days: int, request: HttpRequest | None = None
) -> SlaSettings:
    if not actor.has_perm("sales.change_slasettings"):
        raise PermissionDenied()
    errors = {}
    if not 1 <= first_call_minutes <= 1440:
        errors["first_call_minutes"] = [_("Between 1 and 1,440 minutes.")]
    if not 1 <= second_follow_up_days <= 60:
        errors["second_follow_up_days"] = [_("Between 1 and 60 days.")]
    if errors:
        raise ValidationFailed(fields=errors)
    sla, _created = SlaSettings.objects.select_for_update().get_or_create(singleton=1)
    before = {"first_call_minutes": sla.first_call_minutes, "second_follow_up_days": sla.second_follow_up_days}
    sla.first_call_minutes, sla.second_follow_up_days = first_call_minutes, second_follow_up_days
    sla.save()
    after = {"first_call_minutes": first_call_minutes, "second_follow_up_days": second_follow_up_days}
    audit_event(actor, "sales.sla_changed", sla, {"before": before, "after": after}, request)
    return sla
