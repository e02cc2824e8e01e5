"""Hand-overs between the stages after the automated decision: review → approval → contract → disbursement.

Each stage lives in its own app and knows the next one only through the hooks here, so an app can be tested on
its own. Every hook runs inside the caller's transaction (a failing hook rolls the whole step back); work that
must not run before commit is enqueued by the hook with ``transaction.on_commit``.

- ``underwriting`` calls ``review_submitted`` when a reviewer submits an opinion; ``approvals`` registers
  ``on_review_submitted`` and starts the approval chain (or approves at once when the route has no further step).
- ``approvals`` calls ``referred_back`` (``underwriting`` reopens the case), and ``credit_approve`` /
  ``credit_reject`` on the final decision.
- ``on_credit_approved`` / ``on_credit_rejected``: the decision notice to the customer and the contract draft.
- ``contracts`` calls ``contract_signed``; ``disbursements`` registers ``on_contract_signed``.
- ``add_disbursement_check``: ``underwriting`` (conditions met) and ``contracts`` (fully signed) add checks to the
  pre-disbursement checklist; a check returns ``None`` when satisfied or the reason it is not.
- ``disbursements`` calls ``disbursed`` after booking the loan; ``on_disbursed`` lets the lead pipeline and the
  customer notice follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.principal import audit_actor
from loancrm.applications.services import application_set_status
from loancrm.core.audit import audit_event
from loancrm.core.money import money_str

APPROVE, CONDITIONAL, REJECT = "approve", "conditional", "reject"


@dataclass(frozen=True)
class ApprovedTerms:
    amount: Decimal
    annual_rate: Decimal
    term_months: int
    method: str


@dataclass(frozen=True)
class ReviewOutcome:
    """A reviewer's submitted opinion: ``recommendation`` is approve / conditional / reject."""

    recommendation: str
    terms: ApprovedTerms
    risk_level: str
    comment: str
    risk_points: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckResult:
    code: str
    label: str
    passed: bool
    detail: str = ""


ReviewHandler = Callable[[Application, ReviewOutcome, Any], None]
AppHandler = Callable[[Application, Any], None]
Check = Callable[[Application], CheckResult]

_review_handlers: list[ReviewHandler] = []
_referred_back: list[Callable[[Application, Any, str], None]] = []
_approved: list[AppHandler] = []
_rejected: list[Callable[[Application, Any, list[str]], None]] = []
_signed: list[AppHandler] = []
_disbursed: list[Callable[[Application, Any, Any], None]] = []
_checks: list[Check] = []


def _add(registry: list[Any], callback: Any) -> None:
    if callback not in registry:
        registry.append(callback)


def on_review_submitted(callback: ReviewHandler) -> None:
    _add(_review_handlers, callback)


def on_referred_back(callback: Callable[[Application, Any, str], None]) -> None:
    _add(_referred_back, callback)


def on_credit_approved(callback: AppHandler) -> None:
    _add(_approved, callback)


def on_credit_rejected(callback: Callable[[Application, Any, list[str]], None]) -> None:
    _add(_rejected, callback)


def on_contract_signed(callback: AppHandler) -> None:
    _add(_signed, callback)


def on_disbursed(callback: Callable[[Application, Any, Any], None]) -> None:
    """``callback(application, loan, actor)`` after the loan is booked."""
    _add(_disbursed, callback)


def add_disbursement_check(check: Check) -> None:
    _add(_checks, check)


def disbursement_checks(application: Application) -> list[CheckResult]:
    """The registered pre-disbursement checks' results for ``application`` (in registration order)."""
    return [check(application) for check in list(_checks)]


def review_submitted(application: Application, outcome: ReviewOutcome, actor: Any) -> None:
    """Hand a reviewer's opinion to the approval stage (inside the caller's transaction)."""
    for handler in list(_review_handlers):
        handler(application, outcome, actor)


def referred_back(application: Application, actor: Any, comment: str, request: HttpRequest | None = None) -> None:
    """An approver returns the case to the reviewer: the application goes back to manual review."""
    with transaction.atomic():
        application_set_status(
            application_id=application.pk,
            status=Status.MANUAL_REVIEW,
            actor=actor,
            reason=comment[:200],
            request=request,
        )
        for handler in list(_referred_back):
            handler(application, actor, comment)


def credit_approve(
    *, application_id: int, terms: ApprovedTerms, actor: Any, reason: str = "", request: HttpRequest | None = None
) -> Application:
    """Record the approved terms and move the application to ``approved``; then the approval handlers run."""
    with transaction.atomic():
        application = application_set_status(
            application_id=application_id, status=Status.APPROVED, actor=actor, reason=reason[:200], request=request
        )
        _store_terms(application, terms, actor, request)
        for handler in list(_approved):
            handler(application, actor)
    return application


def auto_approved_terms_store(*, application: Application, terms: ApprovedTerms, actor: Any = None) -> None:
    """Record an automated approval's terms (the application is already ``auto_approved``), then the handlers."""
    with transaction.atomic():
        _store_terms(application, terms, actor, None)
        for handler in list(_approved):
            handler(application, actor)


def _store_terms(application: Application, terms: ApprovedTerms, actor: Any, request: HttpRequest | None) -> None:
    application.approved_amount = terms.amount
    application.approved_annual_rate = terms.annual_rate
    application.approved_term_months = terms.term_months
    application.approved_method = terms.method
    application.approved_at = timezone.now()
    application.save(
        update_fields=[
            "approved_amount",
            "approved_annual_rate",
            "approved_term_months",
            "approved_method",
            "approved_at",
            "updated_at",
        ]
    )
    audit_event(
        audit_actor(actor),
        "application.credit_approved",
        application,
        {
            "amount": money_str(terms.amount),
            "annual_rate": str(terms.annual_rate),
            "term_months": terms.term_months,
            "method": terms.method,
        },
        request,
    )


def credit_reject(
    *, application_id: int, actor: Any, reasons: list[str], request: HttpRequest | None = None
) -> Application:
    """The approval chain (or the reviewer) refuses: the application is ``rejected``; the handlers then run."""
    with transaction.atomic():
        application = application_set_status(
            application_id=application_id,
            status=Status.REJECTED,
            actor=actor,
            reason="; ".join(reasons)[:200],
            request=request,
        )
        for handler in list(_rejected):
            handler(application, actor, reasons)
    return application


def approved_terms(application: Application) -> ApprovedTerms | None:
    """The terms the credit decision approved (``None`` before approval)."""
    if application.approved_amount is None or application.approved_annual_rate is None:
        return None
    return ApprovedTerms(
        amount=application.approved_amount,
        annual_rate=application.approved_annual_rate,
        term_months=application.approved_term_months or application.term_months,
        method=application.approved_method or application.method,
    )


def contract_signed(application: Application, actor: Any, request: HttpRequest | None = None) -> None:
    """Every party has signed: the application moves to ``signed`` and the disbursement stage is told."""
    with transaction.atomic():
        application_set_status(
            application_id=application.pk, status=Status.SIGNED, actor=actor, reason="contract signed", request=request
        )
        for handler in list(_signed):
            handler(application, actor)


def disbursed(application: Application, loan: Any, actor: Any, request: HttpRequest | None = None) -> None:
    """The loan is booked: the application moves to ``disbursed`` and the handlers (lead stage, notice) run."""
    with transaction.atomic():
        application_set_status(
            application_id=application.pk, status=Status.DISBURSED, actor=actor, reason=str(loan), request=request
        )
        for handler in list(_disbursed):
            handler(application, loan, actor)


def contract_number(application: Application) -> str:
    """The contract number of an application's loan (``HT`` + the application number's digits).

    One application has one contract number, so the loan books at most once (``Loan.contract_no`` is unique).
    """
    return "HT" + (application.number or f"{application.pk:09d}").lstrip("A")
