"""Fixtures of the disbursement tests: the people, the fake checks of the other stages, the business date."""

from __future__ import annotations

import pytest
from django.utils import timezone

from loancrm.accounts.tests.factories import make_user
from loancrm.disbursements.tests.factories import FakeChecks, OwnHandlersOnly
from loancrm.loans.tests.factories import set_business_date


@pytest.fixture
def people(org):
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "ops": make_user("ops1", role="operations", unit=org.hq),
        "director": make_user("dir1", role="credit_director", unit=org.bj),
        "reviewer": make_user("rev1", role="credit_reviewer", unit=org.hq),
    }


@pytest.fixture(autouse=True)
def _own_handlers_only():
    isolated = OwnHandlersOnly()
    yield
    isolated.restore()


@pytest.fixture
def checks():
    fake = FakeChecks()
    yield fake
    fake.remove()


@pytest.fixture
def today(db):
    day = timezone.localdate()
    set_business_date(day)
    return day
