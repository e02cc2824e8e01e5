"""Pipeline stages of a lead: changed only here, along the transition table, audited.

Agents move their own leads through the sales stages (新线索 → 已联系 → 初步意向 → 准备材料); "application submitted"
and "disbursed" are set by the application and loan modules, which pass ``system=True``; a submitted application
moves its lead to "application submitted" from any open stage. A refusal needs a reason.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.scope import scope_q
from loancrm.core.audit import audit_event
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.leads.choices import CLOSED_STAGES, STAGE_TRANSITIONS, Stage, Validity
from loancrm.leads.models import Lead, LeadStageChange
from loancrm.sales import hooks

SYSTEM_STAGES = {Stage.APPLIED, Stage.DISBURSED}


def ensure_transition(current: str, target: str) -> None:
    if target not in STAGE_TRANSITIONS[current]:
        raise InvalidTransition(
            _("A lead cannot move from “%(current)s” to “%(target)s”.")
            % {"current": Stage(current).label, "target": Stage(target).label}
        )


@transaction.atomic
def lead_stage_change(
    *,
    actor: Any,
    lead_id: int,
    stage: str,
    reason: str = "",
    system: bool = False,
    request: HttpRequest | None = None,
) -> Lead:
    """Move a lead to ``stage``; users may only move leads they can see and only through the sales stages."""
    if stage not in Stage.values:
        raise ValidationFailed(fields={"stage": [_("Choose one of the allowed values.")]})
    leads = Lead.objects.select_for_update(of=("self",))
    if not system:
        if not actor.has_perm("leads.view_lead") or not actor.has_perm("leads.intake_lead"):
            raise PermissionDenied()
        if stage in SYSTEM_STAGES:
            raise PermissionDenied(_("This stage is set by the application and loan modules."))
        leads = leads.filter(scope_q(actor, owner="owner", org_unit="org_unit"))
    lead = leads.filter(pk=lead_id).first()
    if lead is None:
        raise NotFound()
    if lead.validity == Validity.INVALID:
        raise InvalidTransition(_("An invalid lead does not move through the pipeline."))
    if not (system and stage == Stage.APPLIED and lead.stage not in CLOSED_STAGES):
        ensure_transition(lead.stage, stage)
    if stage == Stage.REJECTED and not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the reason the customer declined.")]})
    before, now = lead.stage, timezone.now()
    LeadStageChange.objects.create(
        lead=lead,
        from_stage=before,
        to_stage=stage,
        entered_from_at=lead.stage_changed_at or lead.created_at,
        changed_at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason.strip()[:200],
    )
    lead.stage, lead.stage_changed_at = stage, now
    lead.save(update_fields=["stage", "stage_changed_at"])
    hooks.on_stage_changed(lead, before=before, after=stage, actor=actor, reason=reason.strip())
    change = {"before": {"stage": before}, "after": {"stage": stage}, "reason": reason.strip()}
    audit_event(actor, "lead.stage_changed", lead, change, request)
    return lead


def board(qs: QuerySet[Lead], per_column: int = 30) -> list[dict[str, Any]]:
    """Kanban columns: each stage with its count and newest leads."""
    counts = dict(qs.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    return [
        {
            "stage": value,
            "label": label,
            "count": counts.get(value, 0),
            "leads": list(qs.filter(stage=value).order_by("-created_at")[:per_column]),
            "next": sorted(STAGE_TRANSITIONS[value] - SYSTEM_STAGES),
        }
        for value, label in Stage.choices
    ]
