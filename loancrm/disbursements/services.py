"""Disbursement writes: penny tests, the order (request, submission, the channel's answer), retry and cancel.

Invariants:
- every write runs in one transaction with its audit event; a refusal writes nothing (except a wrong penny-test
  amount, whose count commits before the refusal, like an SMS code);
- ``disbursement_request`` locks the application row and returns the contract's live order when there is one, so
  concurrent or repeated requests collapse to one order (the partial unique index is the backstop: a racing
  insert becomes ``OrderConflict``); the order goes to the channel after the request commits;
- the channel's success books the loan (``loans.services.booking.loan_book``) in the transaction that marks the
  order succeeded, then ``lifecycle.disbursed`` moves the application (and, through its hooks, the lead and the
  customer notice); a failure keeps the order for a retry (same order, a new attempt) or a cancellation.
"""

from __future__ import annotations

import functools
import logging
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.services import application_set_status, locked_application
from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.money import money_str
from loancrm.disbursements import callbacks
from loancrm.disbursements.channels import get_channel
from loancrm.disbursements.checklist import current_account, disbursement_amount, disbursement_checklist, failed_items
from loancrm.disbursements.choices import LIVE, ORDER_TRANSITIONS, AttemptStatus, OrderStatus, PennyStatus
from loancrm.disbursements.errors import (
    ChecklistFailed,
    InvalidBankAccount,
    OrderConflict,
    OrderNotCancellable,
    OrderNotRetryable,
    PennyTestRefused,
)
from loancrm.disbursements.models import BankAccountVerification, DisbursementAttempt, DisbursementOrder
from loancrm.loans.services.booking import LoanTerms, loan_book

log = logging.getLogger(__name__)

REQUEST = "disbursements.request_disbursement"
VERIFY = "disbursements.verify_bank_account"
PENNY_MAX_ATTEMPTS = 3
ACCOUNT_STATUSES = (Status.APPROVED, Status.AUTO_APPROVED, Status.CONTRACTING, Status.SIGNED)


def _require(actor: Any, perm: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm):
        raise PermissionDenied()


def _move(order: DisbursementOrder, status: str) -> None:
    if status not in ORDER_TRANSITIONS[order.status]:
        raise InvalidTransition()
    order.status = status


# --- penny test ---------------------------------------------------------------------------------------------------


def _clean_account(bank_name: str, account_no: str, holder_name: str) -> tuple[str, str, str]:
    problems: dict[str, list[str]] = {}
    bank = " ".join((bank_name or "").split())
    digits = "".join((account_no or "").split())
    holder = " ".join((holder_name or "").split())
    if not bank or len(bank) > 60:
        problems["bank_name"] = [_("Enter the bank's name (at most 60 characters).")]
    if not (digits.isdigit() and digits.isascii() and 12 <= len(digits) <= 19):
        problems["account_no"] = [_("Enter the account number: 12 to 19 digits.")]
    if not holder or len(holder) > 120:
        problems["holder_name"] = [_("Enter the account holder's name.")]
    if problems:
        raise InvalidBankAccount(fields=problems)
    return bank, digits, holder


@transaction.atomic
def penny_test_start(
    *, application_id: int, bank_name: str, account_no: str, actor: Any, holder_name: str = "",
    request: HttpRequest | None = None,
) -> BankAccountVerification:  # fmt: skip
    """Record the borrower's disbursement account and send it a random 0.01–0.99 yuan test credit."""
    _require(actor, VERIFY)
    application = locked_application(actor, application_id, VERIFY)
    bank, digits, holder = _clean_account(bank_name, account_no, holder_name or application.customer.name)
    if application.customer.name and holder != application.customer.name:
        raise InvalidBankAccount(fields={"holder_name": [_("The account must be in the borrower's own name.")]})
    if application.status not in ACCOUNT_STATUSES:
        raise InvalidTransition(_("A disbursement account is set after the credit approval."))
    contract_no = lifecycle.contract_number(application)
    if DisbursementOrder.objects.filter(contract_no=contract_no, status__in=LIVE).exists():
        raise OrderConflict(_("A disbursement order is in progress or done: the account cannot change now."))
    amount = Decimal(secrets.randbelow(99) + 1) / 100
    reference = get_channel().penny_send(digits, amount)
    BankAccountVerification.objects.filter(application=application, is_current=True).update(is_current=False)
    account = BankAccountVerification.objects.create(
        application=application, customer=application.customer, bank_name=bank, holder_name=holder,
        account_no=digits, account_tail=digits[-4:], penny_amount=amount, penny_reference=reference,
        created_by=actor,
    )  # fmt: skip
    audit_event(actor, "disbursement.penny_test_started", account,
                {"application": application.number, "bank": bank, "account": account.masked,
                 "reference": reference}, request)  # fmt: skip
    return account


def _parse_amount(raw: Any) -> Decimal:
    try:
        amount = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        amount = Decimal("-1")
    if not amount.is_finite() or amount <= 0 or amount >= 1 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(fields={"amount": [_("Enter the amount received: between 0.01 and 0.99 yuan.")]})
    return amount


@transaction.atomic
def _confirm(verification_id: int, amount: Decimal, actor: Any, request: HttpRequest | None) -> Any:
    account = BankAccountVerification.objects.select_for_update().filter(pk=verification_id, is_current=True).first()
    if account is None:
        return NotFound()
    locked_application(actor, account.application_id, VERIFY)
    if account.status != PennyStatus.PENDING:
        return InvalidTransition(_("This penny test is no longer awaiting confirmation."))
    if amount == account.penny_amount:
        account.status, account.verified_at = PennyStatus.VERIFIED, timezone.now()
        account.save(update_fields=["status", "verified_at"])
        audit_event(actor, "disbursement.penny_test_confirmed", account, {"account": account.masked}, request)
        return account
    account.attempts += 1
    left = PENNY_MAX_ATTEMPTS - account.attempts
    if left <= 0:
        account.status = PennyStatus.FAILED
    account.save(update_fields=["attempts", "status"])
    audit_event(actor, "disbursement.penny_test_refused", account,
                {"account": account.masked, "attempts": account.attempts, "failed": left <= 0}, request)  # fmt: skip
    if left <= 0:
        return PennyTestRefused(_("Wrong amount three times: the penny test failed. Start a new one."))
    return PennyTestRefused(_("The amount does not match. %(left)s attempts left.") % {"left": left})


def penny_test_confirm(
    *, verification_id: int, amount: Any, actor: Any, request: HttpRequest | None = None
) -> BankAccountVerification:
    """Confirm the test amount the customer saw; a wrong amount counts (three wrong ones fail the test)."""
    _require(actor, VERIFY)
    result = _confirm(verification_id, _parse_amount(amount), actor, request)
    if isinstance(result, Exception):
        raise result
    return result


# --- the order ----------------------------------------------------------------------------------------------------


@transaction.atomic
def disbursement_request(
    *, application_id: int, actor: Any, idempotency_key: str | None = None, request: HttpRequest | None = None
) -> DisbursementOrder:
    """The contract's disbursement order: the live one when it exists, else a new one once the checklist passes;
    it goes to the channel after this commits."""
    _require(actor, REQUEST)
    key = (idempotency_key or "").strip()[:64] or None
    if key:
        earlier = DisbursementOrder.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            if earlier.application_id != application_id:
                raise OrderConflict(_("This idempotency key was used for another application."))
            return earlier
    application = locked_application(actor, application_id, REQUEST)
    contract_no = lifecycle.contract_number(application)
    live = DisbursementOrder.objects.filter(contract_no=contract_no, status__in=LIVE).first()
    if live is not None:
        return live
    if DisbursementOrder.objects.filter(contract_no=contract_no, status=OrderStatus.FAILED).exists():
        raise OrderConflict(_("A failed disbursement of this contract exists: retry it or cancel it first."))
    results = disbursement_checklist(application)
    if not all(r.passed for r in results):
        raise ChecklistFailed(fields=failed_items(results))
    account = current_account(application)
    amount = disbursement_amount(application)
    assert account is not None and amount is not None
    try:
        with transaction.atomic():
            order = DisbursementOrder.objects.create(
                application=application, contract_no=contract_no, amount=amount, account=account,
                channel_code=get_channel().code, idempotency_key=key, requested_by=actor,
            )  # fmt: skip
    except IntegrityError:
        raise OrderConflict() from None
    audit_event(actor, "disbursement.requested", order,
                {"application": application.number, "contract_no": contract_no, "amount": money_str(amount),
                 "account": account.masked}, request)  # fmt: skip
    transaction.on_commit(functools.partial(disbursement_submit, order_id=order.pk, actor=actor))
    return order


def disbursement_submit(*, order_id: int, actor: Any = None) -> DisbursementOrder | None:
    """Hand a created order to the channel as a new attempt (run after the request or retry commits)."""
    with transaction.atomic():
        order = DisbursementOrder.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != OrderStatus.CREATED:
            return order
        order.attempts += 1
        channel = get_channel()
        try:
            with transaction.atomic():
                reference = channel.submit(order)
        except Exception as exc:  # the channel is down: the order fails and may be retried
            log.warning("disbursement channel %s refused order %s: %s", channel.code, order.pk, exc)
            _move(order, OrderStatus.FAILED)
            order.failure_reason = (_("The payment channel could not be reached: %(error)s") % {"error": exc})[:200]
            order.completed_at = timezone.now()
            order.save(update_fields=["attempts", "status", "failure_reason", "completed_at"])
            audit_event(actor, "disbursement.failed", order, {"attempt": order.attempts,
                                                              "reason": order.failure_reason})  # fmt: skip
            return order
        DisbursementAttempt.objects.create(
            order=order, number=order.attempts, channel_reference=reference,
            submitted_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        _move(order, OrderStatus.SUBMITTED)
        order.channel_reference, order.submitted_at = reference, timezone.now()
        order.failure_reason = ""
        order.save(update_fields=["attempts", "status", "channel_reference", "submitted_at", "failure_reason"])
        audit_event(actor, "disbursement.submitted", order,
                    {"attempt": order.attempts, "channel": order.channel_code, "reference": reference})  # fmt: skip
        return order


def _refuse(code: str, order: DisbursementOrder | None, parsed: Any, request: HttpRequest | None) -> Any:
    audit_event(f"channel:{order.channel_code if order else '?'}", "disbursement.callback_refused", order,
                {"code": code, "reference": parsed.channel_reference, "status": parsed.status}, request)  # fmt: skip
    return callbacks.refusal(code)


def disbursement_answer(*, parsed: Any, digest: str, request: HttpRequest | None = None) -> callbacks.Answer:
    """Apply the channel's verified answer to its attempt (see ``callbacks`` for the invariants)."""
    with transaction.atomic():
        found = DisbursementAttempt.objects.filter(channel_reference=parsed.channel_reference).first()
        if found is None:
            return callbacks.refusal("unknown_reference")
        order = DisbursementOrder.objects.select_for_update().get(pk=found.order_id)
        attempt = DisbursementAttempt.objects.select_for_update().get(pk=found.pk)
        if attempt.status != AttemptStatus.SUBMITTED:
            if attempt.callback_sha256 == digest:
                return callbacks.accepted(order, attempt)
            return _refuse("conflicting_replay", order, parsed, request)
        try:
            amount_ok = Decimal(parsed.amount) == order.amount
        except InvalidOperation:
            amount_ok = False
        if parsed.contract_no != order.contract_no or not amount_ok:
            return _refuse("mismatch", order, parsed, request)
        if order.status != OrderStatus.SUBMITTED or order.attempts != attempt.number:
            return _refuse("not_awaiting", order, parsed, request)
        now, actor = timezone.now(), f"channel:{order.channel_code}"
        attempt.answered_at, attempt.callback_sha256 = now, digest
        if parsed.status == "succeeded":
            _book(order, attempt, request)
        else:
            attempt.status, attempt.failure_reason = AttemptStatus.FAILED, parsed.reason or _("No reason given")
            attempt.save(update_fields=["status", "failure_reason", "answered_at", "callback_sha256"])
            _move(order, OrderStatus.FAILED)
            order.failure_reason, order.completed_at = attempt.failure_reason, now
            order.save(update_fields=["status", "failure_reason", "completed_at"])
            audit_event(actor, "disbursement.failed", order,
                        {"attempt": attempt.number, "reason": order.failure_reason}, request)  # fmt: skip
            _notify_failure(order)
        return callbacks.accepted(order, attempt)


def _notify_failure(order: DisbursementOrder) -> None:
    from loancrm.core.notifications import notify

    recipients = [order.requested_by] if order.requested_by_id else []
    notify(
        recipients,
        kind="disbursements.failed",
        title=_("Disbursement failed: %(contract)s") % {"contract": order.contract_no},
        body=_("The channel answered: %(reason)s. Retry, use another account or cancel.")
        % {"reason": order.failure_reason},
        link=f"/disbursements/application/{order.application_id}/",
    )


def _book(order: DisbursementOrder, attempt: DisbursementAttempt, request: HttpRequest | None) -> None:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("customer", "product_version__product")
        .get(pk=order.application_id)
    )
    terms = lifecycle.approved_terms(application)
    assert terms is not None
    loan = loan_book(
        customer=application.customer,
        terms=LoanTerms(
            contract_no=order.contract_no,
            product_code=application.product_version.product.code,
            principal=order.amount,
            annual_rate=terms.annual_rate,
            term_months=terms.term_months,
            method=terms.method,
            start_date=current_business_date(),
        ),
        actor=order.requested_by,
        request=request,
    )
    attempt.status = AttemptStatus.SUCCEEDED
    attempt.save(update_fields=["status", "answered_at", "callback_sha256"])
    _move(order, OrderStatus.SUCCEEDED)
    order.loan, order.completed_at = loan, attempt.answered_at
    order.save(update_fields=["status", "loan", "completed_at"])
    audit_event(f"channel:{order.channel_code}", "disbursement.succeeded", order,
                {"attempt": attempt.number, "loan": loan.contract_no, "amount": money_str(order.amount)},
                request)  # fmt: skip
    lifecycle.disbursed(application, loan, order.requested_by, request=request)


def _locked_order(order_id: int, actor: Any) -> DisbursementOrder:
    order = DisbursementOrder.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    locked_application(actor, order.application_id, REQUEST)
    return order


@transaction.atomic
def disbursement_retry(*, order_id: int, actor: Any, request: HttpRequest | None = None) -> DisbursementOrder:
    """Send a failed order again (same order, a new attempt) to the current verified account."""
    _require(actor, REQUEST)
    order = _locked_order(order_id, actor)
    if order.status != OrderStatus.FAILED:
        raise OrderNotRetryable()
    application = Application.objects.select_related("product_version", "customer").get(pk=order.application_id)
    results = disbursement_checklist(application)
    if not all(r.passed for r in results):
        raise ChecklistFailed(fields=failed_items(results))
    account = current_account(application)
    assert account is not None
    _move(order, OrderStatus.CREATED)
    order.account = account
    try:
        with transaction.atomic():
            order.save(update_fields=["status", "account"])
    except IntegrityError:
        raise OrderConflict() from None
    audit_event(actor, "disbursement.retried", order,
                {"attempt": order.attempts + 1, "account": account.masked,
                 "previous_failure": order.failure_reason}, request)  # fmt: skip
    transaction.on_commit(functools.partial(disbursement_submit, order_id=order.pk, actor=actor))
    return order


@transaction.atomic
def disbursement_cancel(
    *, order_id: int, actor: Any, reason: str, cancel_application: bool = False, request: HttpRequest | None = None
) -> DisbursementOrder:
    """Cancel a created or failed order (a reason is required); with ``cancel_application`` the loan is given up
    and the application is cancelled, otherwise a new request is allowed."""
    _require(actor, REQUEST)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason for cancelling.")]})
    order = _locked_order(order_id, actor)
    if order.status not in (OrderStatus.CREATED, OrderStatus.FAILED):
        raise OrderNotCancellable()
    _move(order, OrderStatus.CANCELLED)
    order.cancel_reason, order.completed_at = reason[:200], timezone.now()
    order.save(update_fields=["status", "cancel_reason", "completed_at"])
    audit_event(actor, "disbursement.cancelled", order,
                {"reason": order.cancel_reason, "cancel_application": cancel_application}, request)  # fmt: skip
    if cancel_application:
        application_set_status(application_id=order.application_id, status=Status.CANCELLED, actor=actor,
                               reason=reason[:200], request=request)  # fmt: skip
    return order
