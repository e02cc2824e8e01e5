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


def disbursers() -> list[Any]:
    """Who is told of work for disbursement: active holders of ``disbursements.request_disbursement``."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from loancrm.accounts.models import User

    perms = Permission.objects.filter(content_type__app_label="disbursements", codename="request_disbursement")
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perms) | Q(user_permissions__in=perms))
        .distinct()
    )


def contract_signed_ready(application: Any, actor: Any) -> None:
    """``lifecycle.on_contract_signed``: operations hear that a signed contract awaits disbursement."""
    from django.utils.translation import gettext as _

    from loancrm.core.notifications import notify

    notify(
        disbursers(),
        kind="disbursements.contract_signed",
        title=_("Contract signed, ready for disbursement: %(number)s") % {"number": application.number},
        body=_("Check the bank account and the pre-disbursement checklist, then request the disbursement."),
        link=f"/disbursements/application/{application.pk}/",
    )
