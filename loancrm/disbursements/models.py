"""Disbursement (放款): the borrower's verified bank account, the order to the payment channel and its attempts.

Invariants:
- an account number is stored encrypted with a blind index, shown masked (``**** **** **** 1234``);
- at most one live order (created / submitted / succeeded) per contract number (a partial unique index), and the loan
  books once (``Loan.contract_no`` is unique; ``DisbursementOrder.loan`` is one-to-one);
- an order changes status only through ``disbursements.services`` along ``choices.ORDER_TRANSITIONS``; every
  submission to the channel is one ``DisbursementAttempt`` (numbered 1, 2, … per order), answered once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.fields import BlindIndexField, EncryptedTextField
from loancrm.disbursements.choices import LIVE, AttemptStatus, OrderStatus, PennyStatus


def _money(verbose_name: object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class BankAccountVerification(models.Model):
    """The account a loan is paid into, verified by a penny test: the channel credits a random 0.01–0.99 yuan and
    the customer (or the agent with them) confirms the amount seen on the statement."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="bank_accounts")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    bank_name = models.CharField(_("bank"), max_length=60)
    holder_name = models.CharField(_("account holder"), max_length=120)
    account_no = EncryptedTextField(_("account number"), kind="bank_card")
    account_no_bidx = BlindIndexField(source="account_no", kind="bank_card")
    account_tail = models.CharField(_("account number (last 4)"), max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=PennyStatus.choices, default=PennyStatus.PENDING)
    penny_amount = _money(_("test amount"))
    penny_reference = models.CharField(_("test transfer reference"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong confirmations"), default=0)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bank account verification")
        verbose_name_plural = _("bank account verifications")
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(is_current=True), name="disb_one_current_account"
            )
        ]
        permissions = [("verify_bank_account", _("Can verify disbursement bank accounts"))]

    def __str__(self) -> str:
        return f"{self.bank_name} ****{self.account_tail}"

    @property
    def masked(self) -> str:
        return f"**** **** **** {self.account_tail}"


class DisbursementOrder(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="disbursement_orders"
    )
    contract_no = models.CharField(_("contract number"), max_length=40)
    amount = _money(_("amount"))
    account = models.ForeignKey(BankAccountVerification, on_delete=models.PROTECT, related_name="orders")
    channel_code = models.CharField(_("channel"), max_length=30)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    channel_reference = models.CharField(_("channel reference"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True, unique=True)
    loan = models.OneToOneField(
        "loans.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="disbursement_order"
    )
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("disbursement order")
        verbose_name_plural = _("disbursement orders")
        constraints = [
            models.UniqueConstraint(
                fields=["contract_no"], condition=Q(status__in=list(LIVE)), name="disb_one_live_order_per_contract"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("request_disbursement", _("Can request, retry and cancel disbursements"))]

    def __str__(self) -> str:
        return f"FK{self.pk:08d}" if self.pk else "FK(new)"


class DisbursementAttempt(models.Model):
    order = models.ForeignKey(DisbursementOrder, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(
        _("status"), max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.SUBMITTED
    )
    channel_reference = models.CharField(_("channel reference"), max_length=64)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    callback_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("disbursement attempt")
        verbose_name_plural = _("disbursement attempts")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="disb_attempt_number_once"),
            models.UniqueConstraint(fields=["channel_reference"], name="disb_attempt_reference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.number}"
