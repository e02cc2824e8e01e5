"""Administrators manage users in the UI; every change is audited; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.accounts.models import User
from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent

NEW_USER = {
    "username": "newagent",
    "full_name": "新销售",
    "kind": "staff",
    "password": "a long enough passphrase",
    "roles": ["sales_agent"],
    "email": "",
    "employee_no": "E100",
}


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_admin_creates_a_user_with_role_and_unit_and_it_is_audited(org, admin_client, admin_user):
    response = admin_client.post("/accounts/users/new/", {**NEW_USER, "org_unit": org.bj_team1.pk})
    assert response.status_code == 302
    user = User.objects.get(username="newagent")
    assert [p.code for p in user.role_profiles()] == ["sales_agent"]
    assert user.org_unit == org.bj_team1 and user.must_change_password
    assert user.password.startswith(("argon2", "md5"))
    event = AuditEvent.objects.get(action="user.created", target_id=str(user.pk))
    assert event.actor == admin_user
    assert event.data["after"]["roles"] == ["sales_agent"] and event.data["after"]["org_unit"] == "T-BJ-1"


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"username": "admin1"}, "已存在一位使用该名字的用户"),
        ({"password": "short"}, "密码长度太短"),
        ({"password": "password123"}, "这个密码太常见了"),
        ({"password": "x" * 129}, "128"),
        ({"roles": ["no_such_role"]}, "不在可用的选项中"),
        ({"full_name": ""}, "这个字段是必填项"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_in_chinese_and_writes_nothing(org, admin_client, change, field_message):
    users, events = User.objects.count(), AuditEvent.objects.count()
    response = admin_client.post("/accounts/users/new/", {**NEW_USER, **change})
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert User.objects.count() == users and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_64_character_passphrase_is_accepted(org, admin_client):
    passphrase = "correct horse battery staple " * 2 + "abcdefg"
    assert len(passphrase) >= 64
    response = admin_client.post("/accounts/users/new/", {**NEW_USER, "password": passphrase})
    assert response.status_code == 302
    assert User.objects.get(username="newagent").check_password(passphrase)


@pytest.mark.django_db
def test_admin_changes_roles_and_unit_with_before_and_after_in_the_audit(org, admin_client):
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    response = admin_client.post(
        f"/accounts/users/{agent.pk}/edit/",
        {"full_name": "升职", "roles": ["sales_lead"], "org_unit": org.bj_team2.pk, "email": "", "employee_no": ""},
    )
    assert response.status_code == 302
    agent = User.objects.get(pk=agent.pk)
    assert [p.code for p in agent.role_profiles()] == ["sales_lead"] and agent.org_unit == org.bj_team2
    event = AuditEvent.objects.get(action="user.updated")
    assert event.data["before"]["roles"] == ["sales_agent"] and event.data["after"]["roles"] == ["sales_lead"]


@pytest.mark.django_db
def test_admin_cannot_remove_their_own_admin_role_or_disable_themselves(org, admin_client, admin_user):
    response = admin_client.post(
        f"/accounts/users/{admin_user.pk}/edit/",
        {"full_name": "x", "roles": ["sales_agent"], "email": "", "employee_no": ""},
    )
    assert response.status_code == 400
    assert "不能移除自己的管理员角色" in response.content.decode()
    response = admin_client.post(f"/accounts/users/{admin_user.pk}/disable/", {"reason": "x"}, follow=True)
    assert "不能停用自己的账户" in response.content.decode()
    assert User.objects.get(pk=admin_user.pk).is_active


@pytest.mark.django_db
def test_reset_password_shows_a_temporary_password_once(org, admin_client):
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    response = admin_client.post(f"/accounts/users/{agent.pk}/reset-password/", {"new_password": ""})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    temporary = response.context["temporary_password"]
    agent = User.objects.get(pk=agent.pk)
    assert agent.check_password(temporary) and agent.must_change_password
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 1
    assert temporary not in str(AuditEvent.objects.get(action="user.password_reset").data)


@pytest.mark.django_db
def test_enable_and_unlock_are_audited(org, admin_client, admin_user):
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1, is_active=False)
    admin_client.post(f"/accounts/users/{agent.pk}/enable/")
    admin_client.post(f"/accounts/users/{agent.pk}/unlock/")
    assert User.objects.get(pk=agent.pk).is_active
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"user.enabled", "user.unlocked"}


@pytest.mark.parametrize(
    "url", ["/accounts/users/", "/accounts/users/new/", "/accounts/roles/", "/accounts/org/", "/accounts/tokens/"]
)
@pytest.mark.django_db
def test_non_administrators_are_refused(org, url):
    client = Client()
    client.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    response = client.get(url)
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


@pytest.mark.django_db
def test_user_detail_of_a_missing_user_is_404(admin_client):
    assert admin_client.get("/accounts/users/999999/").status_code == 404


@pytest.mark.django_db
def test_user_list_filters_sorts_and_paginates(org, admin_client):
    for i in range(25):
        make_user(f"agent{i:02d}", role="sales_agent", unit=org.bj_team1)
    make_user("lead", role="sales_lead", unit=org.sh_team1)
    page1 = admin_client.get("/accounts/users/?role=sales_agent&sort=-username")
    rows = page1.context["listing"].rows
    assert page1.context["page_obj"].paginator.count == 25
    assert [u.username for u in rows[:2]] == ["agent24", "agent23"] and len(rows) == 20
    page2 = admin_client.get("/accounts/users/?role=sales_agent&sort=-username&page=2")
    assert [u.username for u in page2.context["listing"].rows] == [f"agent{i:02d}" for i in range(4, -1, -1)]
    by_unit = admin_client.get(f"/accounts/users/?org_unit={org.sh.pk}")
    assert [u.username for u in by_unit.context["listing"].rows] == ["lead"]
    assert admin_client.get("/accounts/users/?sort=password").status_code == 200
