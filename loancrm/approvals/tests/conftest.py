"""Fixtures of the approval tests: approvers of every role, the default policy and limits, and applications in
manual review that a reviewer's opinion sends into approval (``lifecycle.review_submitted`` is called directly)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.services import application_set_status, application_submit
from loancrm.applications.tests.factories import make_application, make_customer, make_version
from loancrm.approvals import services


@pytest.fixture
def people(org):
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "reviewer": make_user("rev1", role="credit_reviewer", unit=org.bj_team2),
        "sup": make_user("sup1", role="credit_supervisor", unit=org.bj_team2),
        "sup2": make_user("sup2", role="credit_supervisor", unit=org.bj_team2),
        "sh_sup": make_user("sup_sh", role="credit_supervisor", unit=org.sh_team1),
        "dir": make_user("dir1", role="credit_director", unit=org.bj),
        "comp": make_user("comp1", role="compliance_officer", unit=org.hq),
        "c1": make_user("com1", role="loan_committee", unit=org.hq),
        "c2": make_user("com2", role="loan_committee", unit=org.hq),
        "c3": make_user("com3", role="loan_committee", unit=org.hq),
        "admin": make_user("admin1", role="administrator", unit=org.hq),
    }


@pytest.fixture
def policy(people):
    services.authority_defaults_ensure()
    return services.policy_default_ensure()


@pytest.fixture
def version(db):
    return make_version(max_amount="5000000.00")


@pytest.fixture
def in_review(people, version, monkeypatch):
    """``in_review(amount)``: a new application in manual review."""
    monkeypatch.setattr("loancrm.applications.services._on_submitted", [])
    customer = make_customer(people["agent"])

    def make(amount: str = "100000.00") -> Application:
        application = make_application(people["agent"], customer, version, amount=amount)
        application_submit(actor=people["agent"], application_id=application.pk)
        for status in (Status.PRE_SCREENING, Status.MANUAL_REVIEW):
            application_set_status(application_id=application.pk, status=status)
        return Application.objects.get(pk=application.pk)

    return make


def outcome(amount: str, risk: str = "low", recommendation: str = lifecycle.APPROVE, **extra: Any):
    terms = lifecycle.ApprovedTerms(
        amount=Decimal(amount), annual_rate=Decimal("0.144000"), term_months=24, method="equal_installment"
    )
    return lifecycle.ReviewOutcome(recommendation=recommendation, terms=terms, risk_level=risk,
                                   comment="收入稳定，负债适中", **extra)  # fmt: skip


@pytest.fixture
def submit(people, policy, in_review):
    """``submit(amount, risk)``: an application reviewed with that opinion; returns it (reloaded)."""

    def make(amount: str, risk: str = "low", **extra: Any) -> Application:
        application = in_review(amount)
        lifecycle.review_submitted(application, outcome(amount, risk, **extra), people["reviewer"])
        return Application.objects.select_related("approval_case").get(pk=application.pk)

    return make
