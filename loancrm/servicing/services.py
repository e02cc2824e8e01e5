"""The end-of-day run (日终) of a business date: plan the partitions, process them, close the day.

Invariants:
- a date runs only when it is the business date, and so only after the previous date's run closed (closing is what
  advances the business date); running a closed date again changes nothing;
- each partition's work and its ``done`` mark commit in one transaction: a crash keeps the finished partitions and
  none of the unfinished one, and a rerun skips the finished ones and redoes the others (each step computes amounts
  *to date*, so a redone step gives what one clean run gives);
- on PostgreSQL a worker takes the next pending partition with ``FOR UPDATE SKIP LOCKED``, so any number of workers
  share the work; the day closes (business date advanced, audit event) once every partition is done, in one
  transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.services import business_date_advance
from loancrm.servicing.choices import EodStatus, PartitionStatus
from loancrm.servicing.eod import partition, sql
from loancrm.servicing.errors import EodDateRefused
from loancrm.servicing.models import DpdBucket, EodDay, EodPartition, RiskClassBand
from loancrm.servicing.overdue import DEFAULT_BUCKETS, DEFAULT_CLASSES
from loancrm.servicing.rules import bucket_bands, class_bands

if TYPE_CHECKING:
    from loancrm.jobs.runner import JobRunContext

logger = logging.getLogger(__name__)
PARTITION_LOANS = 10_000
OPEN_END = 2**62
WAIT_SECONDS = 0.2


@dataclass
class EodReport:
    business_date: dt.date
    already_done: bool = False
    partitions: int = 0
    processed: int = 0
    loans: int = 0
    bucket_changes: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def partition_size() -> int:
    return int(getattr(settings, "EOD_PARTITION_LOANS", PARTITION_LOANS))


def eod_check(business_date: dt.date) -> EodDay | None:
    """The closed run of ``business_date`` if there is one; ``EodDateRefused`` unless the date may run now."""
    day = EodDay.objects.filter(business_date=business_date).first()
    if day is not None and day.status == EodStatus.DONE:
        return day
    current = current_business_date()
    if business_date != current:
        raise EodDateRefused(
            _("The end of day can only run for the business date %(current)s, not %(date)s.")
            % {"current": current.isoformat(), "date": business_date.isoformat()}
        )
    other = EodDay.objects.filter(status=EodStatus.RUNNING).exclude(business_date=business_date).first()
    if other is not None:
        raise EodDateRefused(
            _("The end of day of %(date)s has not finished.") % {"date": other.business_date.isoformat()}
        )
    return None


def ensure_default_tables() -> None:
    """Seed the bucket and classification tables with the defaults when they are empty (a flushed database)."""
    if not DpdBucket.objects.exists():
        DpdBucket.objects.bulk_create([DpdBucket(code=b.code, min_dpd=b.min_dpd, max_dpd=b.max_dpd)
                                       for b in DEFAULT_BUCKETS])  # fmt: skip
    if not RiskClassBand.objects.exists():
        RiskClassBand.objects.bulk_create([RiskClassBand(risk_class=b.code, min_dpd=b.min_dpd, max_dpd=b.max_dpd)
                                           for b in DEFAULT_CLASSES])  # fmt: skip
    bucket_bands()
    class_bands()


@transaction.atomic
def eod_plan(business_date: dt.date) -> EodDay:
    """The run of ``business_date`` with its partitions (planned once: id ranges of ``partition_size()`` over the
    open loans, the last one open-ended so loans booked meanwhile are included)."""
    ensure_default_tables()
    day, created = EodDay.objects.get_or_create(business_date=business_date)
    if not created:
        return day
    [(first, last, count)] = sql.rows(
        f"SELECT MIN(id), MAX(id), COUNT(*) FROM loans_loan WHERE status IN {sql.OPEN}"  # noqa: S608
    )
    size = partition_size()
    ranges = [] if first is None else [(lo, lo + size) for lo in range(int(first), int(last) + 1, size)]
    if ranges:
        ranges[-1] = (ranges[-1][0], OPEN_END)
    EodPartition.objects.bulk_create([EodPartition(business_date=business_date, lo=lo, hi=hi) for lo, hi in ranges])
    day.partitions, day.loans = len(ranges), int(count or 0)
    day.save(update_fields=["partitions", "loans"])
    return day


def eod_process_next(business_date: dt.date) -> partition.PartitionResult | None:
    """Take the next pending partition of the date and process it in one transaction; None when none is free."""
    with transaction.atomic():
        pending = EodPartition.objects.filter(business_date=business_date, status=PartitionStatus.PENDING)
        if sql.is_postgres():
            pending = pending.select_for_update(skip_locked=True)
        part = pending.order_by("lo").first()
        if part is None:
            return None
        started = time.perf_counter()
        result = partition.process(business_date, part.lo, part.hi)
        part.status, part.loans = PartitionStatus.DONE, result.loans
        part.seconds, part.finished_at = time.perf_counter() - started, timezone.now()
        part.save(update_fields=["status", "loans", "seconds", "finished_at"])
    return result


def eod_assist(business_date: dt.date) -> int:
    """Process pending partitions of the date until none is left to take (a helper worker); the number done."""
    done = 0
    while eod_process_next(business_date) is not None:
        done += 1
    return done


def eod_run(*, business_date: dt.date | None = None, ctx: JobRunContext | None = None, actor: Any = None) -> EodReport:
    """Run (or resume) the end of day of ``business_date`` (default: the business date) and close it."""
    started = time.perf_counter()
    business_date = business_date or current_business_date()
    report = EodReport(business_date)
    if eod_check(business_date) is not None:
        report.already_done = True
        return report
    day = eod_plan(business_date)
    report.partitions = day.partitions
    if ctx is not None:
        ctx.set_total(day.loans)
        done = _done_loans(business_date)
        if done > ctx.run.processed:
            ctx.advance(processed=done - ctx.run.processed)
    _enqueue_helpers(business_date)
    while True:
        result = eod_process_next(business_date)
        if result is None:
            if not EodPartition.objects.filter(business_date=business_date, status=PartitionStatus.PENDING).exists():
                break
            time.sleep(WAIT_SECONDS)  # another worker holds the last partitions
            continue
        report.processed += 1
        report.bucket_changes += result.bucket_changes
        if ctx is not None:
            ctx.advance(processed=result.loans)
    report.loans = _done_loans(business_date)
    eod_close(business_date, actor=actor)
    report.seconds = time.perf_counter() - started
    if ctx is not None:
        ctx.log(f"end of day {business_date.isoformat()}: {report.loans} loans, {day.partitions} partitions")
    return report


def _done_loans(business_date: dt.date) -> int:
    found = EodPartition.objects.filter(business_date=business_date, status=PartitionStatus.DONE).aggregate(
        n=Sum("loans")
    )["n"]
    return int(found or 0)


def _enqueue_helpers(business_date: dt.date) -> None:
    workers = int(getattr(settings, "EOD_WORKERS", 1))
    if workers <= 1:
        return
    from loancrm.servicing.tasks import eod_assist_task

    for _n in range(workers - 1):
        eod_assist_task.enqueue(business_date.isoformat())


@transaction.atomic
def eod_close(business_date: dt.date, *, actor: Any = None) -> EodDay:
    """Close the day once every partition is done: mark it, advance the business date, audit."""
    day = EodDay.objects.select_for_update().get(business_date=business_date)
    if day.status == EodStatus.DONE:
        return day
    if EodPartition.objects.filter(business_date=business_date).exclude(status=PartitionStatus.DONE).exists():
        raise EodDateRefused(_("Partitions of %(date)s are not done.") % {"date": business_date.isoformat()})
    day.status, day.finished_at = EodStatus.DONE, timezone.now()
    day.loans = _done_loans(business_date)
    day.save(update_fields=["status", "finished_at", "loans"])
    next_day = business_date + dt.timedelta(days=1)
    business_date_advance(to_date=next_day, actor=actor)
    audit_event(actor, "eod.completed", day, {"business_date": business_date, "loans": day.loans,
                                              "partitions": day.partitions, "next": next_day})  # fmt: skip
    return day
