"""Reads of leads, scoped to the viewer (own / team / branch / all)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from loancrm.accounts.models import User
from loancrm.accounts.scope import scope_q
from loancrm.core.fields import blind_lookup
from loancrm.leads.assignment import OPEN_STAGES
from loancrm.leads.choices import Validity
from loancrm.leads.funnel import FunnelRow, funnel, period_filter
from loancrm.leads.models import Lead


def leads_visible_to(viewer: Any) -> QuerySet[Lead]:
    if not viewer.has_perm("leads.view_lead"):
        return Lead.objects.none()
    return Lead.objects.filter(scope_q(viewer, owner="owner", org_unit="org_unit")).select_related(
        "channel", "owner", "org_unit"
    )


def access_lead(viewer: Any, pk: int) -> Lead:
    """A lead the viewer may see; otherwise the same 404 as a missing one."""
    lead = leads_visible_to(viewer).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def filter_leads(
    qs: QuerySet[Lead], *, q: str = "", stage: str = "", channel: str = "", validity: str = "", tag: str = ""
) -> QuerySet[Lead]:
    """List filters: ``q`` matches a mobile or ID number exactly (blind index), or the name or campaign."""
    if q:
        digits = "".join(ch for ch in q if ch.isalnum())
        if len(digits) >= 11:
            qs = qs.filter(blind_lookup(Lead, "mobile", q) | blind_lookup(Lead, "id_number", q))
        else:
            qs = qs.filter(name__icontains=q) | qs.filter(campaign__icontains=q)
    if stage:
        qs = qs.filter(stage=stage)
    if channel:
        qs = qs.filter(channel__code=channel)
    if validity:
        qs = qs.filter(validity=validity)
    if tag.isdigit():
        qs = qs.filter(tags__tag_id=int(tag))
    return qs


def funnel_for(
    viewer: Any,
    *,
    dimension: str = "",
    start: date | None = None,
    end: date | None = None,
    channel: str = "",
    campaign: str = "",
) -> list[FunnelRow]:
    """Conversion funnel over the valid leads the viewer may see, arrived between ``start`` and ``end``."""
    qs = period_filter(leads_visible_to(viewer).filter(validity=Validity.VALID), start, end)
    if channel:
        qs = qs.filter(channel__code=channel)
    if campaign:
        qs = qs.filter(campaign=campaign)
    return funnel(qs, dimension)


def agents_in_scope(viewer: Any) -> QuerySet[User]:
    """Active sales agents the viewer manages, with their duty and open-lead count."""
    return (
        User.objects.filter(scope_q(viewer, owner="pk", org_unit="org_unit"), is_active=True)
        .filter(groups__role__code="sales_agent")
        .select_related("org_unit", "duty")
        .annotate(open_leads=Count("leads", filter=Q(leads__stage__in=OPEN_STAGES)))
        .order_by("org_unit__path", "username")
    )
