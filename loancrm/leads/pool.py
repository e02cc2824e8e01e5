"""The shared pool (公海): unfollowed leads return to it; agents claim from it; managers reassign by hand.

Invariants: a claim succeeds only if the lead is still unowned (conditional update: two agents racing for one lead
get one winner) and within the agent's daily limit; claims and reassignments stay inside the actor's data scope and
are audited; returning to the pool keeps the lead's branch (org unit) so it stays in that branch's pool.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.models import User
from loancrm.accounts.scope import scope_q
from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from loancrm.leads.choices import Stage, Validity
from loancrm.leads.models import Lead, LeadClaim, PoolSettings
from loancrm.sales import hooks


def pool_settings() -> PoolSettings:
    return PoolSettings.objects.filter(singleton=1).first() or PoolSettings()


def pool_for(user: Any) -> QuerySet[Lead]:
    """Unowned valid leads of the user's branch (all branches for company-level users)."""
    unit = user.org_unit
    branch = unit.branch() if unit else None
    qs = Lead.objects.filter(owner__isnull=True, validity=Validity.VALID, stage=Stage.NEW)
    return qs.filter(org_unit__path__startswith=branch.path) if branch else qs


def claims_today(user: Any) -> int:
    return LeadClaim.objects.filter(user=user, claimed_on=current_business_date()).count()


@transaction.atomic
def lead_claim(*, actor: User, lead_id: int, request: HttpRequest | None = None) -> Lead:
    if not actor.has_perm("leads.intake_lead"):
        raise PermissionDenied()
    if not pool_for(actor).filter(pk=lead_id).exists():
        raise NotFound()
    User.objects.select_for_update().filter(pk=actor.pk).first()  # serialises one agent's claims (daily limit)
    limit = pool_settings().daily_claim_limit
    if claims_today(actor) >= limit:
        raise RateLimited(_("You have claimed %(n)d leads today, the daily limit.") % {"n": limit})
    won = Lead.objects.filter(pk=lead_id, owner__isnull=True).update(
        owner=actor, org_unit=actor.org_unit, assigned_at=timezone.now()
    )
    if not won:
        raise Conflict(_("Someone else claimed this lead first."))
    lead = Lead.objects.get(pk=lead_id)
    LeadClaim.objects.create(lead=lead, user=actor, claimed_on=current_business_date())
    hooks.on_lead_assigned(lead, actor=actor, how="claim")
    audit_event(actor, "lead.claimed", lead, {}, request)
    return lead


@transaction.atomic
def lead_reassign(*, actor: User, lead_id: int, owner_id: int, reason: str, request: HttpRequest | None = None) -> Lead:
    """A manager hands a lead in their scope to an active sales agent in their scope."""
    if not actor.has_perm("leads.assign_lead"):
        raise PermissionDenied()
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .filter(scope_q(actor, owner="owner", org_unit="org_unit"), pk=lead_id)
        .first()
    )
    if lead is None:
        raise NotFound()
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give a reason for the reassignment.")]})
    agent = (
        User.objects.filter(scope_q(actor, owner="pk", org_unit="org_unit"), pk=owner_id, is_active=True)
        .filter(groups__role__code="sales_agent")
        .first()
    )
    if agent is None:
        raise ValidationFailed(fields={"owner": [_("Choose an active sales agent in your scope.")]})
    before = lead.owner.username if lead.owner else None
    lead.owner, lead.org_unit, lead.assigned_at = agent, agent.org_unit, timezone.now()
    lead.save(update_fields=["owner", "org_unit", "assigned_at"])
    hooks.on_lead_assigned(lead, actor=actor, how="manual")
    audit_event(actor, "lead.reassigned", lead, {"before": {"owner": before}, "after": {"owner": agent.username},
                                                 "reason": reason.strip()}, request)  # fmt: skip
    return lead


def return_stale_leads(*, now: dt.datetime | None = None) -> int:
    """Put back in the pool every new lead its owner has not worked within the configured days."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=pool_settings().return_after_days)
    stale = Lead.objects.filter(owner__isnull=False, stage=Stage.NEW, assigned_at__lt=cutoff)
    with transaction.atomic():
        hooks.on_returned_to_pool(stale)
        count = stale.update(owner=None, assigned_at=None)
        if count:
            audit_event(None, "lead.returned_to_pool", None, {"leads": count, "cutoff": cutoff})
    return count
