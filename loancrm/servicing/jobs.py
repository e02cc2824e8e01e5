"""The end-of-day batch job (``eod.run``), scheduled daily; progress on the batch-jobs page."""

from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import daily
from loancrm.servicing.services import eod_run

JOB_NAME = "eod.run"


@batch_job(
    JOB_NAME,
    _("End of day"),
    schedule=daily("23:30"),
    description=_("Accrues interest and penalty, recomputes DPD, buckets and classification, posts the journal "
                  "and advances the business date."),
)  # fmt: skip
def eod_job(ctx: JobRunContext) -> None:
    eod_run(business_date=ctx.business_date, ctx=ctx)
