"""The hand-overs between review, approval, contract and disbursement (``applications.lifecycle``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.services import application_set_status, application_submit
from loancrm.applications.tests.factories import make_application
from loancrm.core.errors import InvalidTransition
from loancrm.core.models import AuditEvent

TERMS = lifecycle.ApprovedTerms(
    amount=Decimal("40000.00"), annual_rate=Decimal("0.120000"), term_months=12, method="equal_principal"
)


@pytest.fixture
def in_review(people, customer, version, monkeypatch):
    monkeypatch.setattr("loancrm.applications.services._on_submitted", [])
    application = make_application(people["agent"], customer, version)
    application_submit(actor=people["agent"], application_id=application.pk)
    for status in (Status.PRE_SCREENING, Status.MANUAL_REVIEW):
        application_set_status(application_id=application.pk, status=status)
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def hooks(monkeypatch):
    """Empty registries for the test, restored afterwards."""
    for name in ("_review_handlers", "_referred_back", "_approved", "_rejected", "_signed", "_disbursed", "_checks"):
        monkeypatch.setattr(lifecycle, name, [])
    return lifecycle


def test_credit_approval_stores_the_terms_and_runs_the_handlers(hooks, in_review, people):
    seen = []
    hooks.on_credit_approved(lambda application, actor: seen.append((application.status, actor)))

    application = hooks.credit_approve(application_id=in_review.pk, terms=TERMS, actor=people["reviewer"])

    application.refresh_from_db()
    assert application.status == Status.APPROVED and application.approved_at is not None
    assert hooks.approved_terms(application) == TERMS
    assert seen == [(Status.APPROVED, people["reviewer"])]
    event = AuditEvent.objects.get(action="application.credit_approved")
    assert event.data == {
        "amount": "40000.00",
        "annual_rate": "0.120000",
        "term_months": 12,
        "method": "equal_principal",
    }


def test_a_failing_handler_rolls_the_approval_back(hooks, in_review, people):
    def broken(application, actor):
        raise RuntimeError("contract store down")

    hooks.on_credit_approved(broken)

    with pytest.raises(RuntimeError):
        hooks.credit_approve(application_id=in_review.pk, terms=TERMS, actor=people["reviewer"])

    in_review.refresh_from_db()
    assert in_review.status == Status.MANUAL_REVIEW and in_review.approved_amount is None
    assert not AuditEvent.objects.filter(action="application.credit_approved").exists()


def test_review_refer_back_and_rejection(hooks, in_review, people):
    opinions, returned, refused = [], [], []
    hooks.on_review_submitted(lambda application, outcome, actor: opinions.append(outcome.recommendation))
    hooks.on_referred_back(lambda application, actor, comment: returned.append(comment))
    hooks.on_credit_rejected(lambda application, actor, reasons: refused.append(reasons))
    outcome = lifecycle.ReviewOutcome(recommendation="approve", terms=TERMS, risk_level="low", comment="ok")

    hooks.review_submitted(in_review, outcome, people["reviewer"])
    application_set_status(application_id=in_review.pk, status=Status.IN_APPROVAL)
    hooks.referred_back(in_review, people["reviewer"], "收入证明不清晰")
    assert Application.objects.get(pk=in_review.pk).status == Status.MANUAL_REVIEW
    hooks.credit_reject(application_id=in_review.pk, actor=people["reviewer"], reasons=["负债过高"])

    assert opinions == ["approve"] and returned == ["收入证明不清晰"] and refused == [["负债过高"]]
    assert Application.objects.get(pk=in_review.pk).status == Status.REJECTED


def test_signing_and_disbursement_follow_the_table(hooks, in_review, people):
    signed, paid = [], []
    hooks.on_contract_signed(lambda application, actor: signed.append(application.pk))
    hooks.on_disbursed(lambda application, loan, actor: paid.append(loan))
    with pytest.raises(InvalidTransition):
        hooks.contract_signed(in_review, people["reviewer"])

    hooks.credit_approve(application_id=in_review.pk, terms=TERMS, actor=people["reviewer"])
    application_set_status(application_id=in_review.pk, status=Status.CONTRACTING)
    hooks.contract_signed(in_review, people["reviewer"])
    hooks.disbursed(in_review, "HT000000001", people["reviewer"])

    application = Application.objects.get(pk=in_review.pk)
    assert application.status == Status.DISBURSED and application.closed_at is not None
    assert signed == [in_review.pk] and paid == ["HT000000001"]


def test_disbursement_checks_report_in_registration_order(hooks, in_review):
    hooks.add_disbursement_check(lambda a: lifecycle.CheckResult("contract_signed", "合同已签署", True))
    hooks.add_disbursement_check(lambda a: lifecycle.CheckResult("conditions_met", "条件已落实", False, "担保人未签"))

    results = hooks.disbursement_checks(in_review)

    assert [(r.code, r.passed, r.detail) for r in results] == [
        ("contract_signed", True, ""),
        ("conditions_met", False, "担保人未签"),
    ]


def test_contract_number_is_the_application_digits(in_review):
    assert lifecycle.contract_number(in_review) == "HT" + in_review.number[1:]
    assert lifecycle.approved_terms(in_review) is None
