"""Built-in roles, their data scopes, and the scope filter selectors use."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.accounts.choices import DataScope
from loancrm.accounts.models import RoleProfile, User
from loancrm.accounts.roles import ROLES
from loancrm.accounts.scope import data_scope, scope_q
from loancrm.accounts.tests.factories import make_user

EXPECTED_SCOPES = {
    "sales_agent": "own",
    "sales_lead": "team",
    "credit_reviewer": "own",
    "credit_supervisor": "team",
    "credit_director": "branch",
    "loan_committee": "all",
    "collector": "own",
    "collection_manager": "branch",
    "qa_inspector": "branch",
    "compliance_officer": "all",
    "operations": "all",
    "administrator": "all",
}


@pytest.mark.django_db
def test_all_twelve_roles_exist_with_their_scopes():
    assert dict(RoleProfile.objects.values_list("code", "data_scope")) == EXPECTED_SCOPES
    assert len(ROLES) == 12


@pytest.mark.django_db
def test_every_role_sees_the_workbench_and_only_admins_manage_users():
    for role in RoleProfile.objects.all():
        perms = {f"{p.content_type.app_label}.{p.codename}" for p in role.group.permissions.all()}
        assert "accounts.view_dashboard" in perms
        assert ("accounts.manage_users" in perms) == (role.code == "administrator")


@pytest.mark.django_db
def test_widest_scope_wins_for_users_with_several_roles(org):
    user = make_user("both", role="sales_agent", unit=org.bj_team1)
    user.groups.add(RoleProfile.objects.get(code="collection_manager").group)
    assert data_scope(User.objects.get(pk=user.pk)) == DataScope.BRANCH
    assert data_scope(make_user("nobody")) == DataScope.OWN


@pytest.mark.parametrize(
    ("role", "unit", "visible"),
    [
        ("sales_agent", "bj_team1", {"viewer"}),
        ("sales_lead", "bj_team1", {"viewer", "bj1"}),
        ("credit_director", "bj", {"viewer", "bj1", "bj2", "bj"}),
        ("collection_manager", "bj_team2", {"viewer", "bj1", "bj2", "bj"}),
        ("compliance_officer", "hq", {"viewer", "bj1", "bj2", "bj", "sh1", "none"}),
    ],
)
@pytest.mark.django_db
def test_scope_filter_over_users_by_org_unit(org, role, unit, visible):
    make_user("bj1", unit=org.bj_team1)
    make_user("bj2", unit=org.bj_team2)
    make_user("bj", unit=org.bj)
    make_user("sh1", unit=org.sh_team1)
    make_user("none")
    viewer = make_user("viewer", role=role, unit=getattr(org, unit))
    seen = set(User.objects.filter(scope_q(viewer, owner="pk", org_unit="org_unit")).values_list("username", flat=True))
    assert seen == visible


@pytest.mark.django_db
def test_disabled_or_anonymous_users_see_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    viewer = make_user("viewer", role="compliance_officer", unit=org.hq, is_active=False)
    assert not User.objects.filter(scope_q(viewer, owner="pk")).exists()
    assert not User.objects.filter(scope_q(AnonymousUser(), owner="pk")).exists()


LEDGER_NAV = ("trial_balance", "journal", "periods")
OVERDUE_NAV = ("overdue_loans", "bucket_summary")
CATALOGUE_NAV = ("products", "rule_sets")
NAV_BY_ROLE = {
    "sales_agent": {
        "home",
        "leads",
        "pool",
        "board",
        "funnel",
        "tasks",
        "scripts",
        "customers",
        "applications",
        "loans",
        *OVERDUE_NAV,
        "loan_calculator",
    },
    "administrator": {
        "home",
        "users",
        "roles",
        "org",
        "tokens",
        "jobs",
        "calendar",
        "audit",
        "consent_texts",
        "consents",
        "leads",
        "pool",
        "board",
        "funnel",
        "tasks",
        "sales_settings",
        "assignment",
        "scripts",
        "tags",
        "customers",
        "applications",
        "sms_outbox",
        "imports",
        "loan_calculator",
        "loans",
        *OVERDUE_NAV,
        "loan_statements",
        "loan_postings",
        "payment_channels",
        "portfolio_import",
        *LEDGER_NAV,
        *CATALOGUE_NAV,
        "decisions",
        "approval_cases",
        "approval_policies",
        "contracts",
        "contract_templates",
        "disbursements",
        "review_queue",
        "review_routing",
    },
    "operations": {
        "home",
        "applications",
        "sms_outbox",
        "jobs",
        "calendar",
        "loan_calculator",
        "loans",
        *OVERDUE_NAV,
        "loan_postings",
        "payment_channels",
        "portfolio_import",
        "loan_statements",
        *LEDGER_NAV,
        *CATALOGUE_NAV,
        "contracts",
        "contract_templates",
        "disbursements",
        "review_queue",
    },
    "compliance_officer": {
        "home",
        "users",
        "audit",
        "consent_texts",
        "consents",
        "leads",
        "board",
        "funnel",
        "customers",
        "applications",
        "loan_calculator",
        "loans",
        *OVERDUE_NAV,
        *LEDGER_NAV,
        "approvals",
        "approval_cases",
        "approval_policies",
    },
}


@pytest.mark.parametrize(("role", "expected"), NAV_BY_ROLE.items())
@pytest.mark.django_db
def test_sidebar_shows_only_the_modules_of_the_role(org, role, expected):
    client = Client()
    client.force_login(make_user("viewer", role=role, unit=org.bj_team1))
    response = client.get("/")
    keys = {item["key"] for section in response.context["nav_sections"] for item in section["items"]}
    assert keys == expected
