"""The follow-up panel of the lead page: open tasks, the forms (when the lead can still be worked), the timeline."""

from __future__ import annotations

from typing import Any

from loancrm.leads.choices import Validity
from loancrm.leads.models import Lead
from loancrm.sales.choices import TaskStatus
from loancrm.sales.forms import FollowUpForm, InteractionForm
from loancrm.sales.hooks import CLOSED_STAGES, with_arrivals
from loancrm.sales.models import FollowUpTask, Interaction, LeadTag, Tag
from loancrm.sales.scripts import scripts_for_lead


def sales_panel(viewer: Any, lead: Lead) -> dict[str, Any]:
    """Context for ``sales/partials/lead_work.html`` and ``lead_side.html`` (the lead is already access-checked)."""
    workable = (
        viewer.has_perm("sales.add_followup") and lead.validity == Validity.VALID and lead.stage not in CLOSED_STAGES
    )
    return {
        "tasks": list(FollowUpTask.objects.filter(lead=lead, status=TaskStatus.OPEN).select_related("assignee")),
        "timeline": with_arrivals(
            list(Interaction.objects.filter(lead=lead).select_related("actor")[:200]), [lead], 200
        ),
        "follow_up_form": FollowUpForm() if workable else None,
        "interaction_form": InteractionForm() if workable else None,
        "lead_tags": list(LeadTag.objects.filter(lead=lead).select_related("tag").order_by("tag__name")),
        "manual_tags": list(Tag.objects.filter(active=True, rule="")) if workable else [],
        "scripts": scripts_for_lead(lead) if viewer.has_perm("sales.view_script") else [],
    }
