"""Credit review batch jobs: open missing cases, and the SLA reminders and escalations."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import every


@batch_job(
    "underwriting.open_review_cases",
    _("Open credit review cases"),
    schedule=every(5),
    per_business_date=False,
    description=_("Routes applications in manual review that have no review case yet; closes cases of applications "
                  "that left review."),
)  # fmt: skip
def open_review_cases(ctx: JobRunContext) -> None:
    from loancrm.underwriting.services import close_stale_cases, open_missing_cases

    ctx.set_total(2)
    opened = open_missing_cases()
    ctx.advance(processed=1)
    closed = close_stale_cases()
    ctx.advance(processed=1)
    ctx.log(f"{opened} cases opened, {closed} closed")


@batch_job(
    "underwriting.review_sla",
    _("Review SLA reminders and escalations"),
    schedule=every(5),
    per_business_date=False,
    description=_("Reminds reviewers of cases nearing their due time and escalates overdue cases to the team's "
                  "supervisors."),
)  # fmt: skip
def review_sla(ctx: JobRunContext) -> None:
    from loancrm.underwriting.services import sla_sweep

    ctx.set_total(1)
    reminded, escalated = sla_sweep()
    ctx.advance(processed=1)
    ctx.log(f"{reminded} reminders, {escalated} escalations")
