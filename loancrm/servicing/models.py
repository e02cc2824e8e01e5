"""Overdue rules and tables (data, seeded with the defaults by migration), bucket history and end-of-day progress.

Invariants: one ``OverdueRule`` per product code, the row with code "" is the default every other product falls
back to; bucket and classification rows form contiguous inclusive DPD ranges from 0, the last open-ended
(``overdue.check_bands``); ``BucketChange`` rows are appended by the end-of-day run only; an ``EodDay`` is done only
when every one of its partitions is, and then the business date has moved past it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.servicing.choices import EodStatus, PartitionStatus, RiskClass


class OverdueRule(models.Model):
    """What being late costs on a product: grace days, penalty multiplier, compound on/off, day count."""

    product_code = models.CharField(_("product"), max_length=40, unique=True, blank=True)
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    penalty_multiplier = models.DecimalField(_("penalty multiplier"), max_digits=6, decimal_places=2, default=1.5)
    compound = models.BooleanField(_("compound interest on overdue interest"), default=True)
    day_count = models.PositiveSmallIntegerField(_("day-count basis"), default=360)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["product_code"]
        verbose_name = _("overdue rule")
        verbose_name_plural = _("overdue rules")

    def __str__(self) -> str:
        return self.product_code or "*"


class DpdBucket(models.Model):
    code = models.CharField(_("bucket"), max_length=8, unique=True)
    min_dpd = models.PositiveIntegerField(_("from DPD"))
    max_dpd = models.PositiveIntegerField(_("to DPD"), null=True, blank=True)

    class Meta:
        ordering = ["min_dpd"]
        verbose_name = _("DPD bucket")
        verbose_name_plural = _("DPD buckets")

    def __str__(self) -> str:
        return self.code


class RiskClassBand(models.Model):
    risk_class = models.CharField(_("classification"), max_length=16, choices=RiskClass.choices, unique=True)
    min_dpd = models.PositiveIntegerField(_("from DPD"))
    max_dpd = models.PositiveIntegerField(_("to DPD"), null=True, blank=True)

    class Meta:
        ordering = ["min_dpd"]
        verbose_name = _("classification band")
        verbose_name_plural = _("classification bands")

    def __str__(self) -> str:
        return self.risk_class


class BucketChange(models.Model):
    """A loan moved between buckets in the end-of-day run of ``business_date`` (roll-rate analysis)."""

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="+", db_index=False)
    business_date = models.DateField(_("business date"))
    from_bucket = models.CharField(_("from"), max_length=8)
    to_bucket = models.CharField(_("to"), max_length=8)
    dpd = models.PositiveIntegerField(_("DPD"))

    class Meta:
        ordering = ["business_date", "loan"]
        indexes = [models.Index(fields=["business_date", "to_bucket"]), models.Index(fields=["loan", "business_date"])]
        constraints = [models.UniqueConstraint(fields=["loan", "business_date"], name="servicing_bucket_change_once")]
        verbose_name = _("bucket change")
        verbose_name_plural = _("bucket changes")

    def __str__(self) -> str:
        return f"{self.loan_id} {self.business_date} {self.from_bucket}→{self.to_bucket}"


class EodDay(models.Model):
    """The end-of-day run of one business date and its plan (the partitions)."""

    business_date = models.DateField(_("business date"), unique=True)
    status = models.CharField(_("status"), max_length=8, choices=EodStatus.choices, default=EodStatus.RUNNING)
    partitions = models.PositiveIntegerField(_("partitions"), default=0)
    loans = models.PositiveBigIntegerField(_("loans"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-business_date"]
        verbose_name = _("end-of-day run")
        verbose_name_plural = _("end-of-day runs")

    def __str__(self) -> str:
        return f"EOD {self.business_date} {self.status}"


class EodPartition(models.Model):
    """Loans with ``lo <= id < hi``: processed, and marked done, in one transaction."""

    business_date = models.DateField(_("business date"))
    lo = models.BigIntegerField()
    hi = models.BigIntegerField()
    status = models.CharField(_("status"), max_length=8, choices=PartitionStatus.choices,
                              default=PartitionStatus.PENDING)  # fmt: skip
    loans = models.PositiveIntegerField(_("loans"), default=0)
    seconds = models.FloatField(default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["business_date", "lo"]
        constraints = [models.UniqueConstraint(fields=["business_date", "lo"], name="servicing_partition_once")]
        verbose_name = _("end-of-day partition")
        verbose_name_plural = _("end-of-day partitions")

    def __str__(self) -> str:
        return f"{self.business_date} [{self.lo}, {self.hi}) {self.status}"


class EventKind(models.TextChoices):
    DUE_TOMORROW = "due_tomorrow", _("Instalment due tomorrow")
    BECAME_OVERDUE = "became_overdue", _("Became overdue")


class LoanEvent(models.Model):
    """An outbox row the end-of-day run writes for later consumers (notifications, collections): written in the
    partition's transaction, so each (date, kind, loan) is there exactly once, whatever crashed and reran.

    ``due_tomorrow``: an unpaid instalment falls due on the day after the new business date (remind during it);
    ``became_overdue``: the loan moved from active to overdue in this run.
    """

    business_date = models.DateField(_("business date"))
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["business_date", "kind", "loan"]
        constraints = [
            models.UniqueConstraint(fields=["business_date", "kind", "loan"], name="servicing_loan_event_once")
        ]
        verbose_name = _("loan event")
        verbose_name_plural = _("loan events")

    def __str__(self) -> str:
        return f"{self.business_date} {self.kind} {self.loan_id}"


class LoanSnapshot(models.Model):
    """A loan at the end of a month (``month`` is its first day): balances by component, DPD, bucket, class — the
    input of vintage and roll-rate analysis. Written by the end-of-day run of the month's last day."""

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=12)
    principal = models.DecimalField(_("principal"), max_digits=18, decimal_places=2)
    interest = models.DecimalField(_("interest receivable"), max_digits=18, decimal_places=2)
    penalty = models.DecimalField(_("penalty receivable"), max_digits=18, decimal_places=2)
    fee = models.DecimalField(_("fee receivable"), max_digits=18, decimal_places=2)
    advance = models.DecimalField(_("advance held"), max_digits=18, decimal_places=2)
    dpd = models.PositiveIntegerField(_("DPD"))
    bucket = models.CharField(_("bucket"), max_length=8)
    risk_class = models.CharField(_("classification"), max_length=16)

    class Meta:
        ordering = ["month", "loan"]
        constraints = [models.UniqueConstraint(fields=["loan", "month"], name="servicing_snapshot_once")]
        indexes = [models.Index(fields=["month", "bucket"])]
        verbose_name = _("month-end snapshot")
        verbose_name_plural = _("month-end snapshots")

    def __str__(self) -> str:
        return f"{self.loan_id} {self.month:%Y-%m}"
