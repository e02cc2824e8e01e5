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
    checkpoints = audit_checkpoint()
    ctx.advance(processed=1)
    signed = ", ".join(f"chain {c.chain} at #{c.seq}" for c in checkpoints)
    ctx.log(f"checkpoint: {signed}" if checkpoints else "no new audit events")


@batch_job(
    "security.rotate_field_keys",
    _("Re-encrypt personal data under the active key"),
    per_business_date=False,
    description=_("Rewrites every encrypted value still under an older field key, in batches; resumable."),
)
def rotate_field_keys(ctx: JobRunContext) -> None:
    from loancrm.core.key_rotation import count_stale, encrypted_columns, rotate_column

    stale = count_stale()
    ctx.set_total(sum(stale.values()) + ctx.run.processed)
    for model, field in encrypted_columns():
        name = f"{model._meta.db_table}.{field.column}"
        done = 0

        def batch_done(last_pk: object, count: int, name: str = name) -> None:
            nonlocal done
            done += count
            ctx.advance(processed=count, cursor={**ctx.cursor, name: last_pk})
            ctx.log(f"{name}: {done}/{stale[name]} re-encrypted (up to id {last_pk})")

        rotate_column(model, field, after_pk=ctx.cursor.get(name), on_batch=batch_done)
