"""Sessions end when the user is disabled, when idle too long, and after the absolute limit."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from loancrm.accounts import services
from loancrm.accounts.middleware import LAST_SEEN, LOGIN_AT
from loancrm.accounts.tests.factories import PASSWORD, make_user


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_a_disabled_users_open_session_stops_on_the_next_request(org, admin_user):
    # given an agent with two open sessions (two browsers)
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    browser1, browser2 = signed_in("agent"), signed_in("agent")
    assert browser1.get("/").status_code == 200
    # when an administrator disables the agent
    services.user_disable(actor=admin_user, user_id=agent.pk, reason="离职")
    # then both sessions are anonymous at their next request, pages and API alike
    assert browser1.get("/").status_code == 302
    assert browser2.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_disabling_through_the_page_ends_sessions_too(org, admin_user):
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    browser = signed_in("agent")
    admin = Client()
    admin.force_login(admin_user)
    agent_id = browser.session["_auth_user_id"]
    response = admin.post(f"/accounts/users/{agent_id}/disable/", {"reason": "离职"})
    assert response.status_code == 302
    assert browser.get("/").status_code == 302


@pytest.mark.django_db
def test_idle_sessions_expire(org, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = signed_in("agent")
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 61
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_absolute_session_limit_applies_even_when_active(org, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS = 3600
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = signed_in("agent")
    session = client.session
    session[LOGIN_AT] = int(time.time()) - 3601
    session.save()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_expired_session_on_htmx_request_gets_401(org, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = signed_in("agent")
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 120
    session.save()
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"


@pytest.mark.django_db
def test_a_reset_password_must_be_changed_before_anything_else(org, admin_user):
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    _user, temporary = services.user_reset_password(actor=admin_user, user_id=agent.pk)
    client = Client()
    assert client.post("/accounts/login/", {"username": "agent", "password": temporary}).status_code == 302
    assert client.get("/")["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": temporary,
            "new_password": "a new long passphrase",
            "new_password_again": "a new long passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
