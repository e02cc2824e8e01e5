"""Built-in jobs: housekeeping of task results and sessions, and a self-test that exercises the machinery.

Housekeeping is not tied to a business date (the date may stand still over a holiday), so it is rerunnable: each
daily slot runs it again. The self-test is not, so it also shows a second start for the same date being refused.
"""

from __future__ import annotations

import datetime as dt
import time
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.jobs.schedule import daily

BATCH = 1_000
RESULT_RETENTION = dt.timedelta(days=30)


@batch_job(
    "housekeeping.prune_task_results",
    _("Prune finished task results"),
    schedule=daily("03:00"),
    rerunnable=True,
    description=_("Deletes finished background-task results older than 30 days, in batches."),
)
def prune_task_results(ctx: JobRunContext) -> None:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - RESULT_RETENTION
    old = DBTaskResult.objects.filter(finished_at__lt=cutoff)
    ctx.set_total(old.count())
    while ids := list(old.values_list("id", flat=True)[:BATCH]):
        deleted, _unused = DBTaskResult.objects.filter(id__in=ids).delete()
        ctx.advance(processed=deleted)
    ctx.log(f"pruned results finished before {timezone.localtime(cutoff):%Y-%m-%d %H:%M}")


@batch_job(
    "housekeeping.clear_expired_sessions",
    _("Clear expired sessions"),
    schedule=daily("03:30"),
    rerunnable=True,
    description=_("Removes expired sign-in sessions from the database."),
)
def clear_expired_sessions(ctx: JobRunContext) -> None:
    from django.contrib.sessions.models import Session

    from loancrm.accounts.models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class") or store.get_model_class() is not Session:
        store.clear_expired()  # a non-database session engine clears itself
        ctx.log(f"cleared expired sessions of {settings.SESSION_ENGINE}")
        return
    expired = Session.objects.filter(expire_date__lt=timezone.now())
    ctx.set_total(expired.count())
    while keys := list(expired.values_list("session_key", flat=True)[:BATCH]):
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(session_key__in=keys).delete()
        ctx.advance(processed=len(keys))


SELFTEST_TOTAL = 10_000
SELFTEST_BATCH = 1_000


@batch_job(
    "system.selftest",
    _("Self-test (counts records in batches)"),
    description=_("Counts to 10,000 in ten committed batches; shows progress and resuming without side effects."),
)
def selftest(ctx: JobRunContext) -> None:
    pause = float(getattr(settings, "LOANCRM_SELFTEST_PAUSE_SECONDS", 0.5))
    start = int(ctx.cursor.get("next", 0))
    ctx.set_total(SELFTEST_TOTAL)
    for batch_start in range(start, SELFTEST_TOTAL, SELFTEST_BATCH):
        time.sleep(pause)
        ctx.advance(processed=SELFTEST_BATCH, cursor={"next": batch_start + SELFTEST_BATCH})
    ctx.log(f"counted from {start} to {SELFTEST_TOTAL}")
