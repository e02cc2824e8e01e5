"""API token pages and org-unit rules."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.accounts import services
from loancrm.accounts.choices import OrgUnitKind
from loancrm.accounts.models import ApiToken, OrgUnit
from loancrm.core.errors import ValidationFailed
from loancrm.core.models import AuditEvent


@pytest.mark.django_db
def test_admin_creates_a_token_sees_the_secret_once_and_revokes_it(org, admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post("/accounts/tokens/", {"name": "百度渠道", "user": admin_user.pk, "scopes": ["read"]})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    token = ApiToken.objects.get(name="百度渠道")
    assert secret.startswith(f"lcrm_{token.prefix}_") and token.digest != secret
    assert secret not in client.get("/accounts/tokens/").content.decode()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


@pytest.mark.django_db
def test_token_form_refuses_missing_scopes_and_writes_nothing(org, admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post("/accounts/tokens/", {"name": "x", "user": admin_user.pk})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_org_units_nest_company_branch_team_and_keep_paths(admin_user):
    company = services.org_unit_create(actor=None, name="总部", code="C", kind=OrgUnitKind.COMPANY)
    branch = services.org_unit_create(actor=None, name="杭州分公司", code="HZ", kind=OrgUnitKind.BRANCH, parent=company)
    team = services.org_unit_create(actor=None, name="杭州一组", code="HZ1", kind=OrgUnitKind.TEAM, parent=branch)
    assert team.path == f"{company.pk}/{branch.pk}/{team.pk}/"
    assert team.branch() == branch and company.branch() is None
    with pytest.raises(ValidationFailed):
        services.org_unit_create(actor=None, name="错", code="BAD", kind=OrgUnitKind.TEAM, parent=company)
    with pytest.raises(ValidationFailed):
        services.org_unit_create(actor=None, name="重", code="HZ", kind=OrgUnitKind.BRANCH, parent=company)
    assert not OrgUnit.objects.filter(code="BAD").exists()


@pytest.mark.django_db
def test_org_and_roles_pages_render_for_admins(org, admin_user):
    client = Client()
    client.force_login(admin_user)
    assert "北京分公司" in client.get("/accounts/org/").content.decode()
    roles_page = client.get("/accounts/roles/").content.decode()
    assert "催收专员" in roles_page and "本人" in roles_page


@pytest.mark.django_db
def test_admin_creates_a_team_from_the_org_page_and_bad_parent_is_refused(org, admin_user):
    client = Client()
    client.force_login(admin_user)
    bad = client.post("/accounts/org/", {"name": "错组", "code": "X1", "kind": "team", "parent": org.hq.pk})
    assert bad.status_code == 400 and "该类型的机构不能放在此处" in bad.content.decode()
    assert not OrgUnit.objects.filter(code="X1").exists()
    good = client.post("/accounts/org/", {"name": "北京三组", "code": "BJ3", "kind": "team", "parent": org.bj.pk})
    assert good.status_code == 302
    team = OrgUnit.objects.get(code="BJ3")
    assert team.path == f"{org.bj.path}{team.pk}/"
    assert AuditEvent.objects.filter(action="org_unit.created", target_id=str(team.pk)).exists()
