"""The application shell: home page per role, languages, error pages, health, htmx CSRF wiring."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from loancrm.accounts.tests.factories import make_user


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_home_is_chinese_by_default_and_switches_to_english(org):
    client = Client()
    client.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page and "工作台" in page and "销售专员" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Workbench" in page and "Sales agent" in page


@pytest.mark.django_db
def test_shell_wires_csrf_for_htmx_and_loads_assets_locally(org):
    client = Client()
    client.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    page = client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert "/static/django_htmx/htmx-2.min.js" in page and "/static/vendor/tabler/tabler.min.css" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


@pytest.mark.django_db
def test_home_shows_the_users_queues(org):
    client = Client()
    client.force_login(make_user("boss", role="administrator", unit=org.hq))
    queues = {q["key"] for q in client.get("/").context["queues"]}
    assert "locked_accounts" in queues


@pytest.mark.django_db
def test_404_page_is_generic_and_in_chinese(org):
    client = Client()
    client.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_api_404_is_json_in_the_error_shape():
    response = Client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@override_settings(DEBUG=False)
@pytest.mark.django_db
def test_500_page_shows_no_stack_trace(rf):
    from loancrm.core.views import server_error

    response = server_error(rf.get("/boom"))
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_ok():
    assert Client().get("/healthz").json() == {"status": "ok"}
