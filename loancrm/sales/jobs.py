"""Follow-up batch jobs: the overdue-task report to sales leads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import every


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
