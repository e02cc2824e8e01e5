"""Shared set-up of the loan page and loans API tests: users in and out of a loan's scope, a client per user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.business_date import current_business_date
from loancrm.loans.models import Installment
from loancrm.loans.services import payment_post
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date

FEB_15 = dt.date(2026, 2, 15)
FIRST_PAYMENT = Decimal("8606.64")  # reference loan: 100,000 / 12 months / 6 % equal instalment


def make_people(org: Any) -> dict[str, Any]:
    """Two agents of one team, team leads of two branches, operations (all loans), QA (no loan permission)."""
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "teammate": make_user("agent2", role="sales_agent", unit=org.bj_team1),
        "lead_bj": make_user("lead_bj", role="sales_lead", unit=org.bj_team1),
        "lead_sh": make_user("lead_sh", role="sales_lead", unit=org.sh_team1),
        "ops": make_user("ops1", role="operations", unit=org.hq),
        "qa": make_user("qa1", role="qa_inspector", unit=org.bj),
    }


def client_for(user: Any, **extra: Any) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


def agent_loan(people: dict[str, Any], *, name: str = "李四", **overrides: Any) -> Any:
    """A reference loan of a customer owned by the agent (so in the agent's, the team lead's and ops' scope)."""
    return make_loan(make_customer(owner=people["agent"], name=name), **overrides)


def pay_first(loan: Any, actor: Any = None) -> Any:
    """Pay what period 1 is due, on FEB_15 (moves the business date up to it when earlier); for the reference
    loan that is its due date and ``FIRST_PAYMENT``."""
    if current_business_date() < FEB_15:
        set_business_date(FEB_15)
    first = Installment.objects.get(loan_id=loan.pk, version=1, period=1)
    return payment_post(loan_id=loan.pk, amount=first.due_total, value_date=FEB_15, actor=actor)
