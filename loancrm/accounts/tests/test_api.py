"""API: session and bearer-token auth, scopes, the one error shape, pagination, OpenAPI."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from loancrm.accounts import services
from loancrm.accounts.models import ApiToken, User
from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def admin_api(admin_user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_openapi_document_is_openapi_3_and_docs_render():
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/v1/accounts/me" in schema["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()


@pytest.mark.django_db
def test_anonymous_requests_get_401_in_the_error_shape_in_chinese_or_english():
    response = Client().get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "需要登录认证。", "fields": {}}
    english = Client().get("/api/v1/accounts/me", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == "Authentication required."


@pytest.mark.django_db
def test_session_auth_returns_me_with_permissions_and_scope(org, admin_api, admin_user):
    body = admin_api.get("/api/v1/accounts/me").json()
    assert body["username"] == admin_user.username and body["roles"] == ["administrator"]
    assert body["data_scope"] == "all" and "accounts.manage_users" in body["permissions"]


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(org, admin_api):
    payload = {"username": "x1", "full_name": "某", "password": "a long passphrase", "roles": ["sales_agent"]}
    response = admin_api.post("/api/v1/accounts/users", json.dumps(payload), content_type="application/json")
    assert response.status_code == 403
    assert not User.objects.filter(username="x1").exists()


@pytest.mark.django_db
def test_bearer_token_authenticates_records_last_use_and_obeys_scopes(org, admin_user):
    token, secret = services.api_token_create(actor=admin_user, user_id=admin_user.pk, name="CRM sync", scopes=["read"])
    assert token.digest != secret and secret not in str(AuditEvent.objects.get(action="api_token.created").data)
    client = Client()
    assert client.get("/api/v1/accounts/me", **bearer(secret)).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert client.get("/api/v1/accounts/users", **bearer(secret)).status_code == 200
    payload = {"username": "x1", "full_name": "某", "password": "a long passphrase"}
    write = client.post(
        "/api/v1/accounts/users", json.dumps(payload), content_type="application/json", **bearer(secret)
    )
    assert write.status_code == 403 and write.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_revoked_expired_or_unknown_tokens_are_401(org, admin_user):
    token, secret = services.api_token_create(actor=admin_user, user_id=admin_user.pk, name="t", scopes=["read"])
    services.api_token_revoke(actor=admin_user, token_id=token.pk)
    client = Client()
    assert client.get("/api/v1/accounts/me", **bearer(secret)).status_code == 401
    assert client.get("/api/v1/accounts/me", **bearer("lcrm_00000000_nope")).status_code == 401


@pytest.mark.django_db
def test_disabling_a_user_revokes_their_tokens(org, admin_user):
    partner = make_user("partner1", kind="partner")
    _token, secret = services.api_token_create(actor=admin_user, user_id=partner.pk, name="p", scopes=["read"])
    services.user_disable(actor=admin_user, user_id=partner.pk, reason="合作终止")
    assert Client().get("/api/v1/accounts/me", **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_create_user_validation_errors_use_the_error_shape_and_write_nothing(org, admin_user):
    _token, secret = services.api_token_create(actor=admin_user, user_id=admin_user.pk, name="all", scopes=["*"])
    client = Client()
    before = User.objects.count()
    missing = client.post("/api/v1/accounts/users", "{}", content_type="application/json", **bearer(secret))
    assert missing.status_code == 422
    body = missing.json()
    assert body["code"] == "validation_error" and body["message"] == "部分字段无效。"
    assert body["fields"]["username"] == ["这个字段是必填项。"]
    weak = {"username": "x1", "full_name": "某", "password": "password123", "roles": ["sales_agent"]}
    response = client.post(
        "/api/v1/accounts/users", json.dumps(weak), content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 400
    assert response.json()["fields"]["password"] == ["这个密码太常见了。"]
    assert User.objects.count() == before


@pytest.mark.django_db
def test_create_user_through_the_api_uses_the_same_service(org, admin_user):
    _token, secret = services.api_token_create(actor=admin_user, user_id=admin_user.pk, name="all", scopes=["*"])
    payload = {
        "username": "api1",
        "full_name": "接口用户",
        "password": "a long passphrase",
        "roles": ["collector"],
        "org_unit": "T-BJ-1",
    }
    response = Client().post(
        "/api/v1/accounts/users", json.dumps(payload), content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 201
    assert response.json()["roles"] == ["collector"] and response.json()["org_unit"]["code"] == "T-BJ-1"
    assert AuditEvent.objects.filter(action="user.created", target_id=str(response.json()["id"])).exists()


@pytest.mark.django_db
def test_lists_use_page_number_pagination(org, admin_api):
    for i in range(7):
        make_user(f"u{i}", unit=org.bj_team1)
    body = admin_api.get("/api/v1/accounts/users?page=2&page_size=3").json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert body["count"] == 8 and body["page"] == 2 and len(body["items"]) == 3
    bad = admin_api.get("/api/v1/accounts/users?page_size=1000")
    assert bad.status_code == 422 and "page_size" in bad.json()["fields"]


@pytest.mark.django_db
def test_users_outside_the_scope_or_missing_are_the_same_404(org, admin_user):
    compliance = make_user("comp", role="compliance_officer", unit=org.hq)
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    client.force_login(agent)
    assert client.get(f"/api/v1/accounts/users/{compliance.pk}").status_code == 403
    client.force_login(compliance)
    assert client.get(f"/api/v1/accounts/users/{agent.pk}").status_code == 200
    missing = client.get("/api/v1/accounts/users/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
