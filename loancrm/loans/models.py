"""Loan accounts, their schedule rows, money transactions and how each transaction paid the schedule.

Invariants:
- a loan's current schedule is its instalments with ``version == loan.schedule_version``; older versions are kept
  unchanged for history when a prepayment regenerates the schedule;
- ``principal_outstanding`` = sum of (principal_due − principal_paid) over the current schedule = the loan's
  balance on the principal-receivable account; ``advance_balance`` = its customer-advance balance;
- rows change only through ``loancrm.loans.services`` (status moves via ``choices.ensure_transition``);
  transactions are never edited except to be marked reversed by their reversal.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.fields import EncryptedTextField
from loancrm.loans.allocation import DEFAULT_ORDER
from loancrm.loans.choices import (
    ImportStatus,
    InstallmentStatus,
    LoanStatus,
    MatchResult,
    NotificationResult,
    Origin,
    PostingKind,
    RepaymentMethod,
    RequestStatus,
    Source,
    TxnKind,
    TxnStatus,
)


def money(verbose_name: Any = None, **kwargs: Any) -> models.DecimalField:
    """An amount in CNY with fen: DecimalField(max_digits=18, decimal_places=2)."""
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)


DEFAULT_ALLOCATION_ORDER = ",".join(DEFAULT_ORDER)


class Loan(models.Model):
    contract_no = models.CharField(_("contract number"), max_length=40, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="loans")
    product_code = models.CharField(_("product"), max_length=40)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account officer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("branch"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.DISBURSED)
    principal = money(_("principal"))
    annual_rate = models.DecimalField(_("annual rate"), max_digits=9, decimal_places=6)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    start_date = models.DateField(_("disbursement date"))
    maturity_date = models.DateField(_("maturity date"))
    day_count = models.PositiveSmallIntegerField(_("day-count basis"), default=360)
    allocation_order = models.CharField(_("allocation order"), max_length=40, default=DEFAULT_ALLOCATION_ORDER)
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    schedule_version = models.PositiveSmallIntegerField(_("schedule version"), default=1)
    principal_outstanding = money(_("principal outstanding"))
    advance_balance = money(_("advance held"), default=0)
    # Rewritten by the end-of-day batch (loancrm.servicing): not indexed, so PostgreSQL can update in place (HOT).
    dpd = models.PositiveIntegerField(_("days past due"), default=0, db_default=0)
    bucket = models.CharField(_("bucket"), max_length=8, default="M0", db_default="M0")
    risk_class = models.CharField(_("classification"), max_length=16, default="normal", db_default="normal")
    paid_off_on = models.DateField(_("paid off on"), null=True, blank=True)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["officer", "status"]),
            models.Index(fields=["org_unit", "status"]),
        ]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        permissions = [
            ("book_loan", "Can book loans and import a portfolio"),
            ("post_payment", "Can request manual payment postings and prepayments"),
            ("approve_posting", "Can approve manual postings and reversals"),
            ("reverse_payment", "Can request payment reversals"),
            ("manage_payment_channels", "Can configure payment channels"),
        ]

    def __str__(self) -> str:
        return self.contract_no


class Installment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="installments", db_index=False)
    version = models.PositiveSmallIntegerField(_("schedule version"), default=1)
    period = models.PositiveSmallIntegerField(_("period"))
    due_date = models.DateField(_("due date"))
    # Interest of the period accrues from here: the previous period's due date (the loan's start for the first).
    period_start = models.DateField(_("period start"))
    principal_due = money(_("principal due"))
    interest_due = money(_("interest due"))
    fee_due = money(_("fee due"), default=0)
    penalty_due = money(_("penalty due"), default=0)
    interest_accrued = money(_("interest accrued"), default=0)
    # Annual penalty and compound rates, fixed by the end-of-day batch on the instalment's first overdue day.
    penalty_rate = models.DecimalField(_("penalty rate"), max_digits=12, decimal_places=8, null=True, blank=True)
    compound_rate = models.DecimalField(_("compound rate"), max_digits=12, decimal_places=8, null=True, blank=True)
    principal_paid = money(_("principal paid"), default=0)
    interest_paid = money(_("interest paid"), default=0)
    fee_paid = money(_("fee paid"), default=0)
    penalty_paid = money(_("penalty paid"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=InstallmentStatus.choices, default=InstallmentStatus.PENDING
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["loan", "version", "period"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "version", "period"], name="loans_installment_unique_period")
        ]
        # The end-of-day batch reaches a loan's unpaid rows by due date through this index; it holds no column the
        # batch rewrites daily (accrual and penalty updates stay in-page, "HOT", on PostgreSQL).
        indexes = [
            models.Index(
                fields=["loan", "version", "due_date"],
                condition=~models.Q(status="paid"),
                name="loans_installment_unpaid_due",
            )
        ]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")

    def __str__(self) -> str:
        return f"{self.loan_id}#{self.period} v{self.version}"

    @property
    def due_total(self) -> Decimal:
        return self.principal_due + self.interest_due + self.fee_due + self.penalty_due

    @property
    def paid_total(self) -> Decimal:
        return self.principal_paid + self.interest_paid + self.fee_paid + self.penalty_paid


class LoanTransaction(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="transactions", db_index=False)
    kind = models.CharField(_("kind"), max_length=16, choices=TxnKind.choices)
    status = models.CharField(_("status"), max_length=8, choices=TxnStatus.choices, default=TxnStatus.POSTED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SYSTEM)
    amount = money(_("amount"))
    principal = money(_("principal"), default=0)
    interest = money(_("interest"), default=0)
    penalty = money(_("penalty"), default=0)
    fee = money(_("fee"), default=0)
    advance = money(_("to advance"), default=0)
    value_date = models.DateField(_("value date"))
    channel = models.ForeignKey(
        "loans.PaymentChannel", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    from_version = models.PositiveSmallIntegerField(_("schedule version before"), null=True, blank=True)
    to_version = models.PositiveSmallIntegerField(_("schedule version after"), null=True, blank=True)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="loan_transaction"
    )
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["loan", "value_date"])]
        verbose_name = _("loan transaction")
        verbose_name_plural = _("loan transactions")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.value_date})"


class TransactionPart(models.Model):
    """One component of one instalment paid (positive) or reopened (negative, by a reversal).

    ``component`` is fee / penalty / interest / principal, or ``accrued`` for interest recognised when it was paid
    before the end-of-day accrual reached it (a reversal takes that recognition back too). The two references carry
    no database constraint (append-only rows written by the posting services; ``ledger_check`` verifies them).
    """

    transaction = models.ForeignKey(
        LoanTransaction, on_delete=models.PROTECT, related_name="parts", db_constraint=False
    )
    installment = models.ForeignKey(
        Installment, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    component = models.CharField(_("component"), max_length=10)
    amount = money(_("amount"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.component} {self.amount}"


class PaymentChannel(models.Model):
    """Where repayments come from (a payment company, a bank's collection service, the cashier)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    secret = EncryptedTextField(_("signing secret"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("payment channel")
        verbose_name_plural = _("payment channels")

    def __str__(self) -> str:
        return self.code


class PaymentNotification(models.Model):
    """A channel's repayment notice, kept whatever the answer; (channel, channel_txn_id) makes replays no-ops."""

    channel = models.ForeignKey(PaymentChannel, on_delete=models.PROTECT, related_name="notifications")
    channel_txn_id = models.CharField(_("channel transaction id"), max_length=64)
    contract_no = models.CharField(_("contract number"), max_length=40)
    amount = money(_("amount"))
    paid_at = models.DateTimeField(_("paid at"))
    result = models.CharField(_("result"), max_length=10, choices=NotificationResult.choices)
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    body_sha256 = models.CharField(max_length=64)
    transaction = models.OneToOneField(
        LoanTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="notification"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "channel_txn_id"], name="loans_notification_once")]
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.channel_txn_id}"


class PostingRequest(models.Model):
    """Maker-checker: a manual payment, prepayment or reversal waits for a second person's approval."""

    kind = models.CharField(_("kind"), max_length=12, choices=PostingKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="posting_requests")
    amount = money(_("amount"), null=True, blank=True)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    keep = models.CharField(_("prepayment keeps"), max_length=8, blank=True)
    channel = models.ForeignKey(PaymentChannel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    target = models.ForeignKey(
        LoanTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="reversal_requests"
    )
    reason = models.CharField(_("reason"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    transaction = models.OneToOneField(
        LoanTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="posting_request"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"])]
        verbose_name = _("posting request")
        verbose_name_plural = _("posting requests")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"


class StatementImport(models.Model):
    """A bank statement file posted in bulk; lines are matched to loans by contract number (or the memo).

    ``lines_done`` is the resume point: the lines of a chunk, their postings and the counters commit together.
    """

    channel = models.ForeignKey(PaymentChannel, on_delete=models.PROTECT, related_name="statements")
    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=300, blank=True)
    file_kind = models.CharField(max_length=4, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    headers = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_lines = models.PositiveIntegerField(default=0)
    lines_done = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    amount_posted = money(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    job_run = models.ForeignKey("jobs.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.PENDING, ImportStatus.RUNNING) and self.job_run_id is not None

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(100, self.lines_done * 100 // self.total_lines) if self.total_lines else 0


class StatementLine(models.Model):
    """One line of a statement file and what became of it. ``channel`` repeats the statement's so that a bank
    transaction id is posted at most once per channel (partial unique constraint over matched lines); ``note`` is a
    reason code (see ``loans.statements.reasons``)."""

    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines", db_index=False)
    channel = models.ForeignKey(PaymentChannel, on_delete=models.PROTECT, related_name="+", db_index=False)
    line_no = models.PositiveIntegerField()
    bank_txn_id = models.CharField(max_length=64)
    contract_no = models.CharField(max_length=40, blank=True)
    memo = models.CharField(max_length=200, blank=True)
    amount = money(null=True)
    paid_on = models.DateField(null=True)
    result = models.CharField(max_length=10, choices=MatchResult.choices)
    note = models.CharField(max_length=200, blank=True)
    transaction = models.OneToOneField(
        LoanTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_line"
    )

    class Meta:
        ordering = ["statement", "line_no"]
        indexes = [models.Index(fields=["statement", "result"])]
        constraints = [
            models.UniqueConstraint(fields=["statement", "line_no"], name="loans_statementline_line_once"),
            models.UniqueConstraint(
                fields=["channel", "bank_txn_id"],
                condition=models.Q(result=MatchResult.MATCHED),
                name="loans_statementline_posted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.line_no}"


class PortfolioImport(models.Model):
    """An existing-portfolio file: each row books one running loan with its repayments to date.

    The file is checked at upload (``checked_*`` counts, ``errors`` of the check); the run then books row by row in
    chunks, ``rows_done`` (the resume cursor), the counts and ``errors`` moving in each chunk's transaction. Errors
    are codes with row numbers (``loans.portfolio.messages``), never copied personal data.
    """

    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=300)
    file_kind = models.CharField(_("file type"), max_length=4, default="xlsx")
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    checked_valid = models.PositiveIntegerField(_("valid rows"), default=0)
    checked_invalid = models.PositiveIntegerField(_("invalid rows"), default=0)
    checked_existing = models.PositiveIntegerField(_("already booked"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    booked = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    failure = models.CharField(_("failure"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    job_run = models.ForeignKey("jobs.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["file_sha256"], name="loans_portfolio_sha256")]
        verbose_name = _("portfolio import")
        verbose_name_plural = _("portfolio imports")

    def __str__(self) -> str:
        return f"P{self.pk:06d}" if self.pk else self.file_name

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(100, self.rows_done * 100 // self.total_rows) if self.total_rows else 0

    @property
    def is_active(self) -> bool:
        return self.status == ImportStatus.RUNNING and not self.is_stalled

    @property
    def is_stalled(self) -> bool:
        """Running, but its job run failed or stopped reporting (a killed worker): it may be resumed."""
        from loancrm.jobs.models import JobStatus
        from loancrm.jobs.services import STALE_AFTER

        if self.status != ImportStatus.RUNNING or self.job_run is None:
            return False
        beat = self.job_run.heartbeat_at
        return self.job_run.status == JobStatus.FAILED or beat is None or timezone.now() - beat >= STALE_AFTER

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        return max(0.0, ((self.finished_at or timezone.now()) - self.started_at).total_seconds())

    @property
    def rows_per_second(self) -> int | None:
        seconds = self.seconds
        return int(self.rows_done / seconds) if seconds else None
