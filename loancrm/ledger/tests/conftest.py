"""Shared fixtures of the ledger tests: the business date, staff per role, a branch-scoped finance role."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission

from loancrm.accounts.models import RoleProfile
from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import BusinessDate

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def today(db):
    BusinessDate.objects.update_or_create(singleton=1, defaults={"current": TODAY})
    return TODAY


@pytest.fixture
def people(org, today):
    group = Group.objects.create(name="role:branch_finance")
    group.permissions.add(Permission.objects.get(codename="view_journalentry", content_type__app_label="ledger"))
    RoleProfile.objects.create(group=group, code="branch_finance", name="分行财务", data_scope="branch")
    bj_finance, sh_finance = make_user("bj_fin", unit=org.bj_team1), make_user("sh_fin", unit=org.sh_team1)
    bj_finance.groups.add(group)
    sh_finance.groups.add(group)
    return SimpleNamespace(
        ops=make_user("ops1", role="operations", unit=org.hq),
        admin=make_user("admin1", role="administrator", unit=org.hq),
        compliance=make_user("comp1", role="compliance_officer", unit=org.hq),
        agent=make_user("agent1", role="sales_agent", unit=org.bj_team1),
        officer=make_user("officer1", role="sales_agent", unit=org.bj_team1),
        bj_finance=type(bj_finance).objects.get(pk=bj_finance.pk),
        sh_finance=type(sh_finance).objects.get(pk=sh_finance.pk),
    )
