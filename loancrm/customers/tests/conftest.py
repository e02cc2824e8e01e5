"""Shared fixtures of the customer tests: one user per role that matters to customer scope."""

from __future__ import annotations

import pytest

from loancrm.accounts.tests.factories import make_user


@pytest.fixture
def people(org):
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "teammate": make_user("agent2", role="sales_agent", unit=org.bj_team1),
        "lead_bj": make_user("lead_bj", role="sales_lead", unit=org.bj_team1),
        "lead_sh": make_user("lead_sh", role="sales_lead", unit=org.sh_team1),
        "compliance": make_user("comp", role="compliance_officer", unit=org.hq),
        "collector": make_user("coll", role="collector", unit=org.bj_team1),
    }
