"""Periodic job of the approval stage: SLA reminders to the pending approvers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import every


@batch_job(
    "approvals.sla_reminders",
    _("Approval SLA reminders"),
    schedule=every(60),
    per_business_date=False,
    rerunnable=True,
    description=_("Notifies the approvers of cases whose current step waits longer than its SLA (once per step)."),
)
def sla_reminders(ctx: JobRunContext) -> None:
    from loancrm.approvals.services import sla_remind

    sent = sla_remind()
    ctx.advance(processed=sent)
    ctx.log(f"{sent} reminders sent")
