"""Response headers on every page: CSP with a nonce that matches our scripts, no framing, no sniffing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user

PAGES = ["/", "/accounts/users/", "/jobs/", "/calendar/", "/accounts/profile/", "/no-such-page/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_security_headers(org, url):
    client = Client()
    client.force_login(make_user("boss", role="administrator", unit=org.hq))
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the shell loads scripts"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


@pytest.mark.django_db
def test_login_page_and_api_docs_have_a_csp_too():
    client = Client()
    assert "nonce-" in client.get("/accounts/login/")["Content-Security-Policy"]
    docs = client.get("/api/docs")
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", docs.content.decode()) if "src=" not in tag]
    assert all('type="application/json"' in tag for tag in inline)


@pytest.mark.django_db
def test_nonces_differ_per_request():
    client = Client()
    first = client.get("/accounts/login/")["Content-Security-Policy"]
    second = client.get("/accounts/login/")["Content-Security-Policy"]
    assert first != second


@pytest.mark.django_db
def test_state_never_changes_on_get(org):
    client = Client()
    client.force_login(make_user("boss", role="administrator", unit=org.hq))
    for url in ["/accounts/logout/", "/accounts/users/1/disable/", "/jobs/start/", "/calendar/days/"]:
        assert client.get(url).status_code == 405, url


def test_check_deploy_is_clean_with_production_settings():
    root = Path(__file__).resolve().parents[3]
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-only-0123456789",
        "ALLOWED_HOSTS": "crm.example.cn",
        "DATABASE_URL": "sqlite:///" + str(root / "var" / "check-deploy.sqlite3"),
        "AUDIT_HMAC_KEY": "audit-key-for-the-check",
        "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43,
        "BLIND_INDEX_KEY": "b" * 40,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_permission_denials_are_audited_on_pages_and_api(org):
    from loancrm.core.models import AuditEvent

    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    client = Client()
    client.force_login(agent)
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/api/v1/jobs/runs").status_code == 403
    denials = AuditEvent.objects.filter(action="auth.permission_denied", actor=agent).order_by("id")
    assert [e.data["path"] for e in denials] == ["/accounts/users/", "/api/v1/jobs/runs"]
