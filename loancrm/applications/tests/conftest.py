"""Shared fixtures of the application tests."""

from __future__ import annotations

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.applications.tests.factories import make_customer, make_version


@pytest.fixture
def people(org):
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "other_agent": make_user("agent_sh", role="sales_agent", unit=org.sh_team1),
        "reviewer": make_user("rev1", role="credit_reviewer", unit=org.hq),
        "collector": make_user("coll", role="collector", unit=org.bj_team1),
    }


@pytest.fixture
def version(db):
    return make_version()


@pytest.fixture
def customer(people):
    return make_customer(people["agent"])
