"""The customer's notices of the credit decision and the disbursement (SMS to the primary mobile, e-mail when the
customer has an address), registered with ``applications.lifecycle``.

Each notice is sent after the deciding transaction commits (``transaction.on_commit``), so a rolled-back decision
sends nothing, and is recorded as an ``ApplicationNotice`` linking the application to its SMS and e-mail. A
failure to send is logged, never raised into the decision that already committed. The texts are fixed Chinese
templates (``messaging.choices.SMS_TEMPLATES``, ``messaging.email_templates``); refusal reasons are shown in plain
words (``decisioning.reasons``), never as codes.
"""

from __future__ import annotations

import functools
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation

from loancrm.core.money import money_str

log = logging.getLogger(__name__)
MAX_REASONS = 3


def _rate(rate: Decimal | None) -> str:
    return f"{(rate or Decimal(0)) * 100:.2f}%"


def _method(code: str) -> str:
    from loancrm.loans.choices import RepaymentMethod

    try:
        return str(RepaymentMethod(code).label)
    except ValueError:
        return code


def plain_reasons(application: Any, reasons: list[str]) -> list[str]:
    """The main reasons of a refusal in everyday words: known codes by their customer sentence, free text as written
    (internal codes dropped); the automated decision's explanation when nothing else is left."""
    from loancrm.decisioning import reasons as texts

    shown: list[str] = []
    for reason in reasons:
        reason = (reason or "").strip()
        if not reason:
            continue
        if reason in texts.DATA_EXPLAIN:
            shown.append(str(texts.DATA_EXPLAIN[reason]))
        elif reason in texts.RULE_EXPLAIN:
            shown.append(str(texts.RULE_EXPLAIN[reason]))
        elif reason in texts.REASON_LABELS or reason.isupper():
            continue
        else:
            shown.append(reason)
    if not shown:
        decision = getattr(application, "decision", None) if hasattr(application, "decision") else None
        factors = _decision_factors(decision) if decision is not None else []
        shown = factors or [str(texts.RULE_GENERIC)]
    return list(dict.fromkeys(shown))[:MAX_REASONS]


def _decision_factors(decision: Any) -> list[str]:
    from loancrm.decisioning import reasons as texts

    try:
        codes = list(decision.reasons or [])
    except Exception:
        return []
    return [str(texts.DATA_EXPLAIN.get(c) or texts.RULE_EXPLAIN.get(c) or "") for c in codes
            if c in texts.DATA_EXPLAIN or c in texts.RULE_EXPLAIN]  # fmt: skip


def _send(application_id: int, kind: str, sms_template: str, params_of: Any) -> None:
    from loancrm.applications.models import Application
    from loancrm.messaging.models import ApplicationNotice
    from loancrm.messaging.services import send_email, send_sms

    try:
        with translation.override("zh-hans"), transaction.atomic():
            application = Application.objects.select_related("customer").get(pk=application_id)
            customer = application.customer
            params = {"name": customer.name, "number": application.number, **params_of(application)}
            mobile = customer.primary_mobile
            sms = send_sms(mobile.mobile, sms_template, params) if mobile is not None else None
            email = send_email(customer.email, sms_template, params) if customer.email else None
            ApplicationNotice.objects.create(application=application, kind=kind, sms=sms, email=email)
    except Exception:
        log.exception("the %s notice of application %s could not be sent", kind, application_id)


def _later(application_id: int, kind: str, template: str, params_of: Any) -> None:
    transaction.on_commit(functools.partial(_send, application_id, kind, template, params_of))


def _approved_params(application: Any) -> dict[str, Any]:
    from loancrm.applications.lifecycle import approved_terms

    terms = approved_terms(application)
    assert terms is not None
    return {"amount": money_str(terms.amount), "rate": _rate(terms.annual_rate), "term": terms.term_months,
            "method": _method(terms.method)}  # fmt: skip


def credit_approved_notice(application: Any, actor: Any) -> None:
    """``lifecycle.on_credit_approved``: the approved terms and the next step (sign the contract)."""
    from loancrm.messaging.models import NoticeKind

    _later(application.pk, NoticeKind.CREDIT_APPROVED, "credit_approved", _approved_params)


def credit_rejected_notice(application: Any, actor: Any, reasons: list[str]) -> None:
    """``lifecycle.on_credit_rejected``: the refusal with its main reasons in plain words."""
    from loancrm.messaging.models import NoticeKind

    chosen = list(reasons)

    def params(app: Any) -> dict[str, Any]:
        with translation.override("zh-hans"):
            words = plain_reasons(app, chosen)
        return {"reasons": "；".join(w.rstrip("。.") for w in words)}

    _later(application.pk, NoticeKind.CREDIT_REJECTED, "credit_rejected", params)


def disbursed_notice(application: Any, loan: Any, actor: Any) -> None:
    """``lifecycle.on_disbursed``: the amount, the account's last four digits and the first due date."""
    from loancrm.messaging.models import NoticeKind

    loan_id = loan.pk

    def params(app: Any) -> dict[str, Any]:
        from loancrm.disbursements.models import DisbursementOrder
        from loancrm.loans.models import Installment, Loan

        booked = Loan.objects.get(pk=loan_id)
        first = Installment.objects.filter(loan=booked, version=booked.schedule_version).order_by("period").first()
        order = DisbursementOrder.objects.select_related("account").filter(loan=booked).first()
        return {
            "contract": booked.contract_no,
            "amount": money_str(booked.principal),
            "tail": order.account.account_tail if order else "----",
            "first_due": f"{first.due_date:%Y-%m-%d}" if first else "",
            "first_amount": money_str(first.due_total) if first else "",
        }

    _later(application.pk, NoticeKind.DISBURSED, "loan_disbursed", params)
