"""Follow-up batch jobs: the overdue-task report to sales leads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import daily, every


@batch_job(
    "sales.report_overdue_tasks",
    _("Report overdue follow-up tasks"),
    schedule=every(5),
    per_business_date=False,
    description=_("Tells each team's sales leads about follow-up tasks that passed their due time."),
)
def report_overdue(ctx: JobRunContext) -> None:
    from loancrm.sales.services import report_overdue_tasks

    ctx.set_total(1)
    count = report_overdue_tasks()
    ctx.advance(processed=1)
    ctx.log(f"{count} overdue tasks reported")


@batch_job(
    "sales.apply_tag_rules",
    _("Apply automatic tag rules"),
    schedule=daily("02:30"),
    rerunnable=True,
    description=_(
        "Re-evaluates every automatic tag on the open leads (facts such as days since arrival change daily)."
    ),
)
def apply_rules(ctx: JobRunContext) -> None:
    from loancrm.leads.assignment import OPEN_STAGES
    from loancrm.leads.models import Lead
    from loancrm.sales.tags import apply_tag_rules

    leads = Lead.objects.filter(stage__in=OPEN_STAGES).select_related("channel").order_by("pk")
    ctx.set_total(leads.count())
    last = int(ctx.cursor.get("last_lead", 0))
    while batch := list(leads.filter(pk__gt=last)[:500]):
        added, removed = apply_tag_rules(batch)
        last = batch[-1].pk
        ctx.advance(processed=len(batch), cursor={"last_lead": last})
        if added or removed:
            ctx.log(f"up to lead {last}: {added} tags added, {removed} removed")
