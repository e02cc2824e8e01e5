"""Fixtures of the credit review tests: two credit teams (Beijing by workload, Shanghai round robin) with their
reviewers and supervisors, routing rules (Shanghai branch → Shanghai team, default → Beijing team) and applications
in manual review made by a Beijing or a Shanghai agent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from loancrm.accounts.choices import OrgUnitKind
from loancrm.accounts.models import OrgUnit, User
from loancrm.accounts.tests.factories import make_unit, make_user
from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status
from loancrm.applications.tests.factories import make_application, make_customer, make_version
from loancrm.underwriting.choices import AssignmentMode
from loancrm.underwriting.models import ReviewTeam, RoutingRule


@dataclass
class Credit:
    bj_unit: OrgUnit
    sh_unit: OrgUnit
    bj: ReviewTeam
    sh: ReviewTeam
    rev1: User
    rev2: User
    sup: User
    rev_sh: User
    sup_sh: User
    director: User
    admin: User
    agent: User
    agent_sh: User
    ops: User


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def credit(org) -> Credit:
    bj_unit = make_unit("T-BJ-CR", OrgUnitKind.TEAM, org.bj, "北京信审")
    sh_unit = make_unit("T-SH-CR", OrgUnitKind.TEAM, org.sh, "上海信审")
    bj = ReviewTeam.objects.create(name="北京信审组", org_unit=bj_unit, mode=AssignmentMode.WORKLOAD, sla_hours=24)
    sh = ReviewTeam.objects.create(name="上海信审组", org_unit=sh_unit, mode=AssignmentMode.ROUND_ROBIN, sla_hours=8)
    RoutingRule.objects.create(name="上海分公司", priority=10, org_unit=org.sh, team=sh)
    RoutingRule.objects.create(name="默认", priority=999, is_default=True, team=bj)
    return Credit(
        bj_unit=bj_unit, sh_unit=sh_unit, bj=bj, sh=sh,
        rev1=make_user("rev1", role="credit_reviewer", unit=bj_unit),
        rev2=make_user("rev2", role="credit_reviewer", unit=bj_unit),
        sup=make_user("sup1", role="credit_supervisor", unit=bj_unit),
        rev_sh=make_user("rev_sh", role="credit_reviewer", unit=sh_unit),
        sup_sh=make_user("sup_sh", role="credit_supervisor", unit=sh_unit),
        director=make_user("dir1", role="credit_director", unit=org.bj),
        admin=make_user("admin1", role="administrator", unit=org.hq),
        agent=make_user("agent1", role="sales_agent", unit=org.bj_team1),
        agent_sh=make_user("agent_sh", role="sales_agent", unit=org.sh_team1),
        ops=make_user("ops1", role="operations", unit=org.hq),
    )  # fmt: skip


@pytest.fixture
def version(db):
    return make_version()


@pytest.fixture
def manual(credit, version):
    """``manual(agent=None, **values)``: an application moved to manual review (no automated decision)."""

    def make(agent: Any = None, **values: Any):
        agent = agent or credit.agent
        application = make_application(agent, make_customer(agent), version, **values)
        for status in (Status.SUBMITTED, Status.PRE_SCREENING, Status.MANUAL_REVIEW):
            application_set_status(application_id=application.pk, status=status, actor=agent)
        application.refresh_from_db()
        return application

    return make


TERMS_OK = {"amount": "40000.00", "annual_rate": "0.15", "term_months": "12", "method": "equal_installment"}


def opinion_values(recommendation: str = "approve", **changes: Any) -> dict[str, Any]:
    return {"recommendation": recommendation, **TERMS_OK, "risk_points": ["负债率偏高"], "conditions": [],
            "comment": "收入稳定，同意", **changes}  # fmt: skip


AMOUNT = Decimal("40000.00")


@pytest.fixture(autouse=True)
def approval_policy(db):
    """The approval stage takes every submitted opinion; it needs a published policy (the default one)."""
    from django.apps import apps

    if apps.is_installed("loancrm.approvals"):
        from loancrm.approvals.services import policy_default_ensure

        policy_default_ensure()
