"""Sign-in: credentials, lockout, session rotation, audit, and errors in Chinese by default."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from loancrm.accounts.models import LoginThrottle, UserSession
from loancrm.accounts.tests.factories import PASSWORD, make_user
from loancrm.core.models import AuditEvent

LOGIN = "/accounts/login/"


def post_login(client: Client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_good_credentials_sign_in_rotate_the_session_and_are_audited(org):
    # given a sales agent and an anonymous session that already has an id
    user = make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    # when they sign in
    response = post_login(client, "agent", PASSWORD)
    # then they land on the workbench with a new session id, recorded and audited
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.session.session_key != before
    assert UserSession.objects.filter(user=user, session_key=client.session.session_key).exists()
    assert AuditEvent.objects.filter(action="auth.login", actor=user).count() == 1


@pytest.mark.django_db
def test_wrong_password_gives_a_chinese_error_and_is_audited(org):
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    response = post_login(Client(), "agent", "wrong-password")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None and event.actor_repr == "agent" and event.data["reason"] == "bad_credentials"


@pytest.mark.django_db
def test_pages_stay_chinese_for_english_browsers_until_the_user_switches(org):
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    response = post_login(client, "agent", "wrong-password", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "用户名或密码不正确" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    response = post_login(client, "agent", "wrong-password")
    assert "Incorrect username or password." in response.content.decode()


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_for_the_right_password(org, settings):
    settings.LOGIN_MAX_FAILURES = 5
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    for _ in range(5):
        assert post_login(client, "agent", "wrong-password").status_code == 400
    response = post_login(client, "agent", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unknown_usernames_lock_the_same_way_revealing_nothing(org):
    client = Client()
    for _ in range(5):
        response = post_login(client, "ghost", "whatever-password")
        assert response.status_code == 400
        assert "用户名或密码不正确" in response.content.decode()
    assert post_login(client, "ghost", "whatever-password").status_code == 429
    assert LoginThrottle.objects.get(username="ghost").locked_until is not None


@pytest.mark.django_db
def test_success_clears_earlier_failures(org):
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    for _ in range(3):
        post_login(client, "agent", "wrong-password")
    assert post_login(client, "agent", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(username="agent").exists()


@pytest.mark.django_db
def test_disabled_and_partner_accounts_cannot_sign_in(org):
    make_user("gone", role="sales_agent", unit=org.bj_team1, is_active=False)
    make_user("partner", kind="partner")
    for username in ("gone", "partner"):
        response = post_login(Client(), username, PASSWORD)
        assert response.status_code == 400
        assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_empty_form_is_refused_with_field_errors_and_no_audit(org):
    response = Client().post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_next_parameter_is_followed_only_within_the_site(org):
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    response = Client().post(LOGIN, {"username": "agent", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("core:home")
    response = Client().post(LOGIN, {"username": "agent", "password": PASSWORD, "next": "/accounts/profile/"})
    assert response["Location"] == "/accounts/profile/"


@pytest.mark.django_db
def test_logout_ends_the_session_and_is_audited(org):
    user = make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    post_login(client, "agent", PASSWORD)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).exists()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_logout_is_not_possible_with_get(org):
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    post_login(client, "agent", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
