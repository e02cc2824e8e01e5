"""The background posting of a bank statement file: one job run per statement (run key ``statement-<id>``)."""

from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.loans.statements.services import JOB_NAME, run_statement


@batch_job(JOB_NAME, _("Bank statement posting"), per_business_date=False)
def post_statement_job(ctx: JobRunContext) -> None:
    run_statement(int(ctx.run.run_key.removeprefix("statement-")), ctx)
