"""Hand-overs registered with ``applications.lifecycle``: the lead's pipeline stage follows the disbursement."""

from __future__ import annotations

from typing import Any

from loancrm.core.errors import InvalidTransition


def lead_to_disbursed(application: Any, loan: Any, actor: Any) -> None:
    """``lifecycle.on_disbursed``: the application's lead moves to 已放款 (when its stage allows it)."""
    from loancrm.leads.choices import Stage
    from loancrm.leads.pipeline import lead_stage_change

    lead = application.lead
    if lead is None or lead.stage == Stage.DISBURSED:
        return
    try:
        lead_stage_change(actor=actor, lead_id=lead.pk, stage=Stage.DISBURSED, reason=str(loan), system=True)
    except InvalidTransition:
        return
