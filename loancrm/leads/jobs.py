"""Lead batch jobs: returning unworked leads to the shared pool."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import daily


@batch_job(
    "leads.return_to_pool",
    _("Return unworked leads to the shared pool"),
    schedule=daily("06:00"),
    rerunnable=True,
    description=_("New leads their owner has not worked within the configured days go back to the branch pool."),
)
def return_to_pool(ctx: JobRunContext) -> None:
    from loancrm.leads.pool import return_stale_leads

    ctx.set_total(1)
    count = return_stale_leads()
    ctx.advance(processed=1)
    ctx.log(f"{count} leads returned to the pool")
