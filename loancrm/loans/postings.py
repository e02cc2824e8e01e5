"""Maker-checker for manual money movements: a manual payment, a partial prepayment, a payoff or a reversal is
requested by one person and carried out only when a different person with ``loans.approve_posting`` approves it.

Invariants:
- a request is ``pending`` until decided once: ``approved`` (the loan service ran and its transaction is linked),
  ``failed`` (the service refused at approval: its message is the decision note and nothing else changed) or
  ``rejected`` (with the checker's note); the maker never approves their own request (they may reject it, which
  withdraws it);
- approval runs the loans service (``payment_post``, ``prepayment_post``, ``payment_reverse``) in the transaction that
  marks the request decided, under the request's row lock, so a request is carried out at most once;
- requesters and checkers act only on loans they may see (``loans_visible_to``); outside it is "not found";
- every step is audited (``posting.requested``, ``posting.approved`` — also when the service failed —,
  ``posting.rejected``).

``PostingRequest.keep`` holds the prepayment option and whether to use the advance held (``KEEP_CODES``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.money import ZERO, money_str, to_money
from loancrm.loans.choices import OPEN_STATUSES, PostingKind, RequestStatus, Source, TxnStatus
from loancrm.loans.errors import InvalidAmount, LoanNotOpen, PrepaymentRefused
from loancrm.loans.models import Loan, LoanTransaction, PaymentChannel, PostingRequest
from loancrm.loans.schedule import Keep
from loancrm.loans.selectors import loans_visible_to
from loancrm.loans.services import PayoffQuote, payment_post, payment_reverse, payoff_quote, prepayment_post
from loancrm.loans.services.common import checked_amount, checked_value_date
from loancrm.loans.services.reversal import NOT_REVERSIBLE

REQUEST_PERMS = ("loans.post_payment", "loans.reverse_payment", "loans.approve_posting")
KIND_PERM = {
    PostingKind.PAYMENT: "loans.post_payment",
    PostingKind.PREPAYMENT: "loans.post_payment",
    PostingKind.PAYOFF: "loans.post_payment",
    PostingKind.REVERSAL: "loans.reverse_payment",
}
# (keep, use_advance) ↔ the stored ``keep`` (8 characters at most)
KEEP_CODES = {
    (Keep.TERM.value, False): "term",
    (Keep.PAYMENT.value, False): "payment",
    (Keep.TERM.value, True): "term+adv",
    (Keep.PAYMENT.value, True): "pay+adv",
}
KEEP_OPTIONS = {code: option for option, code in KEEP_CODES.items()}


class InvalidPostingRequest(ValidationFailed):
    code = "invalid_posting_request"
    default_message = gettext_lazy("The posting request is incomplete or invalid.")


class OwnRequest(Conflict):
    code = "own_request"
    default_message = gettext_lazy("You cannot approve a request you made; another approver must decide it.")


class RequestNotPending(InvalidTransition):
    code = "request_not_pending"
    default_message = gettext_lazy("This request has already been decided.")


class ReversalPending(Conflict):
    code = "reversal_pending"
    default_message = gettext_lazy("A reversal of this transaction is already waiting for approval.")


def keep_option(stored: str) -> tuple[str, bool]:
    """(keep, use_advance) of a stored ``PostingRequest.keep``."""
    return KEEP_OPTIONS.get(stored, (Keep.TERM.value, False))


# ---- reads -------------------------------------------------------------------------------------------------------


def may_request(user: Any) -> bool:
    return any(user.has_perm(perm) for perm in REQUEST_PERMS)


def requests_visible_to(user: Any) -> QuerySet[PostingRequest]:
    """Requests on loans the user may see, for users who request or approve postings."""
    if not may_request(user):
        return PostingRequest.objects.none()
    return PostingRequest.objects.filter(loan__in=loans_visible_to(user).values("pk")).select_related(
        "loan", "channel", "target", "requested_by", "decided_by", "transaction"
    )


def filter_requests(qs: QuerySet[PostingRequest], *, kind: str = "", status: str = "", q: str = "") -> Any:
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(loan__contract_no__istartswith=q.strip()) | Q(reference__iexact=q.strip()))
    return qs


def access_request(user: Any, request_id: int) -> PostingRequest:
    found = requests_visible_to(user).filter(pk=request_id).first()
    if found is None:
        raise NotFound
    return found


def reversible_transactions(loan: Loan) -> QuerySet[LoanTransaction]:
    """The loan's transactions a reversal may be requested for (the reversal service has the final word)."""
    return (
        LoanTransaction.objects.filter(loan_id=loan.pk, status=TxnStatus.POSTED)
        .exclude(kind__in=NOT_REVERSIBLE)
        .order_by("-id")
    )


def posting_quote(*, loan: Loan, as_of: dt.date) -> PayoffQuote:
    """The payoff quote shown with payoff requests."""
    return payoff_quote(loan=loan, as_of=as_of)


# ---- writes ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    request: PostingRequest
    error: DomainError | None = None


def _amount(value: Any) -> Decimal:
    """A positive amount on the fen; a string must have at most two decimals (not rounded to them)."""
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidAmount(fields={"amount": [InvalidAmount.default_message]}) from None
        if not value.is_finite():
            raise InvalidAmount(fields={"amount": [InvalidAmount.default_message]})
    return to_money(checked_amount(value))


def _require(fields: dict[str, list[str]], name: str, value: Any) -> Any:
    if value in (None, ""):
        fields[name] = [_("This field is required.")]
    return value


def _visible_loan(actor: Any, loan_id: int) -> Loan:
    loan = loans_visible_to(actor).filter(pk=loan_id).first()
    if loan is None:
        raise NotFound
    return loan


def posting_request(
    *,
    actor: Any,
    loan_id: int,
    kind: str,
    reason: str,
    amount: Any = None,
    value_date: dt.date | None = None,
    keep: str = Keep.TERM.value,
    use_advance: bool = False,
    channel_id: int | None = None,
    reference: str = "",
    transaction_id: int | None = None,
    request: HttpRequest | None = None,
) -> PostingRequest:
    """Record a request for a checker (see the module rules). Checked now as far as a request can be; the loans
    service checks again when it is approved."""
    try:
        kind = PostingKind(kind)
    except ValueError:
        raise InvalidPostingRequest(fields={"kind": [_("Choose one of the allowed values.")]}) from None
    if not actor.has_perm(KIND_PERM[kind]):
        raise PermissionDenied
    loan = _visible_loan(actor, loan_id)
    fields: dict[str, list[str]] = {}
    reason = " ".join((reason or "").split())
    if not reason:
        fields["reason"] = [_("A reason is required.")]
    elif len(reason) > 200:
        fields["reason"] = [_("At most %(n)s characters.") % {"n": 200}]
    if len(reference) > 80:
        fields["reference"] = [_("At most %(n)s characters.") % {"n": 80}]
    if kind == PostingKind.REVERSAL:
        _require(fields, "transaction_id", transaction_id)
    else:
        _require(fields, "value_date", value_date)
        if kind != PostingKind.PAYOFF:
            _require(fields, "amount", amount)
    if keep not in (Keep.TERM.value, Keep.PAYMENT.value):
        fields["keep"] = [_("Choose one of the allowed values.")]
    if fields:
        raise InvalidPostingRequest(fields=fields)
    channel = None
    if channel_id is not None and kind != PostingKind.REVERSAL:
        channel = PaymentChannel.objects.filter(pk=channel_id, is_active=True).first()
        if channel is None:
            raise InvalidPostingRequest(fields={"channel": [_("Choose an active payment channel.")]})
    with transaction.atomic():
        row = PostingRequest(kind=kind, loan=loan, reason=reason, reference=reference.strip(), requested_by=actor)
        if kind == PostingKind.REVERSAL:
            _reversal_target(row, loan, transaction_id)
        else:
            _money_terms(row, loan, kind, amount, value_date, keep, use_advance)
            row.channel = channel
        row.save()
        audit_event(actor, "posting.requested", loan, _request_data(row), request)
    return row


def _money_terms(
    row: PostingRequest, loan: Loan, kind: str, amount: Any, value_date: Any, keep: str, use_advance: bool
) -> None:
    if loan.status not in OPEN_STATUSES:
        raise LoanNotOpen(fields={"loan": [loan.get_status_display()]})
    row.value_date = checked_value_date(value_date, current_business_date())
    if kind == PostingKind.PAYMENT:
        row.amount = _amount(amount)
        return
    quote = posting_quote(loan=loan, as_of=row.value_date)
    if kind == PostingKind.PAYOFF:
        row.amount = _amount(quote.total if amount in (None, "") else amount)
        if row.amount < quote.total:
            raise PrepaymentRefused(
                _("The payoff amount on %(date)s is %(total)s.")
                % {"date": row.value_date.isoformat(), "total": money_str(quote.total)},
                fields={"amount": [money_str(quote.total)]},
            )
        return
    row.amount = _amount(amount)
    funds = row.amount + (loan.advance_balance if use_advance else ZERO)
    first = quote.overdue + quote.interest_to_date + quote.fee
    if not ZERO < funds - first < quote.principal:  # prepayment_post's own rule, told to the maker at once
        raise PrepaymentRefused(
            _("A partial prepayment must cover %(first)s overdue and interest to date and leave principal owing;"
              " to repay everything use the payoff.") % {"first": money_str(first)},
            fields={"amount": [money_str(first)]},
        )  # fmt: skip
    row.keep = KEEP_CODES[(keep, use_advance)]


def _reversal_target(row: PostingRequest, loan: Loan, transaction_id: Any) -> None:
    target = LoanTransaction.objects.select_for_update().filter(pk=transaction_id, loan_id=loan.pk).first()
    if target is None:
        raise InvalidPostingRequest(fields={"transaction_id": [_("No such transaction on this loan.")]})
    if target.kind in NOT_REVERSIBLE:
        raise InvalidPostingRequest(fields={"transaction_id": [_("Bookings and reversals cannot be reversed.")]})
    if target.status != TxnStatus.POSTED:
        raise InvalidPostingRequest(fields={"transaction_id": [_("This transaction has already been reversed.")]})
    if PostingRequest.objects.filter(target=target, status=RequestStatus.PENDING).exists():
        raise ReversalPending(fields={"transaction_id": [str(ReversalPending.default_message)]})
    row.target, row.amount = target, target.amount


def _decidable(actor: Any, request_id: int) -> PostingRequest:
    if not actor.has_perm("loans.approve_posting"):
        raise PermissionDenied
    row = PostingRequest.objects.select_for_update().filter(pk=request_id).first()
    if row is None or not loans_visible_to(actor).filter(pk=row.loan_id).exists():
        raise NotFound
    if row.status != RequestStatus.PENDING:
        raise RequestNotPending
    return row


def _carry_out(row: PostingRequest, actor: Any, request: HttpRequest | None) -> LoanTransaction:
    common: dict[str, Any] = {"actor": actor, "request": request}
    if row.kind == PostingKind.REVERSAL:
        assert row.target_id is not None
        return payment_reverse(transaction_id=row.target_id, reason=row.reason, **common)
    assert row.value_date is not None
    money = {"loan_id": row.loan_id, "amount": row.amount, "value_date": row.value_date, "source": Source.MANUAL,
             "channel": row.channel, **common}  # fmt: skip
    if row.kind == PostingKind.PAYMENT:
        return payment_post(reference=row.reference or f"PR{row.pk}", **money)
    keep, use_advance = keep_option(row.keep)
    return prepayment_post(
        keep=keep, use_advance=use_advance, payoff=row.kind == PostingKind.PAYOFF,
        reference=row.reference or f"PR{row.pk}", **money,
    )  # fmt: skip


def posting_approve(*, actor: Any, request_id: int, note: str = "", request: HttpRequest | None = None) -> Decision:
    """Approve and carry out the request; when the loans service refuses, the request is marked failed with its
    message (``Decision.error``) and nothing else changes."""
    note = " ".join((note or "").split())[:200]
    with transaction.atomic():
        row = _decidable(actor, request_id)
        if row.requested_by_id == actor.pk:
            raise OwnRequest
        error: DomainError | None = None
        try:
            with transaction.atomic():
                txn = _carry_out(row, actor, request)
        except DomainError as exc:
            error = exc
            row.status = RequestStatus.FAILED
            row.decision_note = exc.summary()[:200]
        else:
            row.status, row.transaction, row.decision_note = RequestStatus.APPROVED, txn, note
        row.decided_by, row.decided_at = actor, timezone.now()
        row.save(update_fields=["status", "transaction", "decision_note", "decided_by", "decided_at"])
        data = {**_request_data(row), "result": row.status, "transaction": row.transaction_id,
                "error": error.code if error else "", "note": row.decision_note}  # fmt: skip
        audit_event(actor, "posting.approved", row.loan, data, request)
    return Decision(row, error)


def posting_reject(*, actor: Any, request_id: int, note: str, request: HttpRequest | None = None) -> PostingRequest:
    """Reject the request with a note (the maker may reject their own request to withdraw it)."""
    note = " ".join((note or "").split())
    if not note or len(note) > 200:
        raise InvalidPostingRequest(fields={"note": [_("A note of at most 200 characters is required.")]})
    with transaction.atomic():
        row = _decidable(actor, request_id)
        row.status, row.decision_note = RequestStatus.REJECTED, note
        row.decided_by, row.decided_at = actor, timezone.now()
        row.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
        audit_event(actor, "posting.rejected", row.loan, {**_request_data(row), "note": note}, request)
    return row


def _request_data(row: PostingRequest) -> dict[str, Any]:
    keep, use_advance = keep_option(row.keep)
    amount: Decimal | None = row.amount
    return {
        "request": row.pk,
        "kind": row.kind,
        "contract_no": row.loan.contract_no,
        "amount": money_str(amount) if amount is not None else "",
        "value_date": row.value_date.isoformat() if row.value_date else "",
        "keep": keep if row.kind == PostingKind.PREPAYMENT else "",
        "use_advance": use_advance if row.kind == PostingKind.PREPAYMENT else False,
        "channel": row.channel.code if row.channel else "",
        "reference": row.reference,
        "target": row.target_id,
        "reason": row.reason,
    }
