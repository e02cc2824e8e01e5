"""Core batch jobs: signing audit checkpoints."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_checkpoint
from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import every


@batch_job(
    "audit.checkpoint",
    _("Sign an audit checkpoint"),
    schedule=every(5),
    per_business_date=False,
    description=_("Signs the audit chain head so that later truncation of the newest rows is detected."),
)
def sign_checkpoint(ctx: JobRunContext) -> None:
    ctx.set_total(1)
    checkpoint = audit_checkpoint()
    ctx.advance(processed=1)
    ctx.log(f"checkpoint at #{checkpoint.seq}" if checkpoint else "no new audit events")
