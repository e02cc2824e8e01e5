"""Who may work a lead: record follow-ups, add interactions, set tags."""

from __future__ import annotations

from typing import Any

from loancrm.accounts.scope import scope_q
from loancrm.core.errors import NotFound, PermissionDenied
from loancrm.leads.models import Lead


def workable_lead(actor: Any, lead_id: int) -> Lead:
    """The lead locked for update, if ``actor`` may work it (404 otherwise, as for a missing one)."""
    if not actor.has_perm("sales.add_followup"):
        raise PermissionDenied()
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .filter(scope_q(actor, owner="owner", org_unit="org_unit"), pk=lead_id)
        .select_related("owner", "channel")
        .first()
    )
    if lead is None:
        raise NotFound()
    return lead
