"""End to end in Debian's Chromium: sign in, role navigation, language switch, a user created and disabled."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from loancrm.accounts.tests.factories import PASSWORD, make_org_tree, make_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (make chromium)"),
]
SHOTS = os.environ.get("LOANCRM_SCREENSHOTS")


@pytest.fixture
def site(transactional_db: Any) -> Iterator[str]:
    """A live server for this test only, stopped (and its sessions ended) before the database goes.

    Only the sessions the server's request threads opened are ended (a keep-alive thread may still hold one):
    the test's own connections, which can be more than one while Playwright runs its loop, stay usable.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connection, connections
    from django.test.testcases import LiveServerThread

    server_pids: set[int] = set()

    class RecordingHandler(StaticFilesHandler):
        def __call__(self, environ: Any, start_response: Any) -> Any:
            try:
                return super().__call__(environ, start_response)
            finally:
                if connection.vendor == "postgresql" and connection.connection is not None:
                    server_pids.add(connection.connection.info.backend_pid)

    thread = LiveServerThread("127.0.0.1", RecordingHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    if connection.vendor == "postgresql" and server_pids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid = ANY(%s) AND pid <> pg_backend_pid()",
                [sorted(server_pids)],
            )
    connections.close_all()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in this thread
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield instance
        instance.close()
        connections.close_all()  # the test's queries ran beside Playwright's loop, on a connection of their own


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_admin_and_agent_see_their_own_navigation_and_languages(site, browser):
    org = make_org_tree()
    make_user("boss", role="administrator", unit=org.hq, full_name="王管理")
    make_user("agent", role="sales_agent", unit=org.bj_team1, full_name="冯销售")
    base = site

    admin = browser.new_context(locale="zh-CN").new_page()
    sign_in(admin, base, "boss")
    sidebar = admin.locator("[data-testid=sidebar]")
    assert "用户管理" in sidebar.inner_text() and "工作台" in sidebar.inner_text()
    shot(admin, "home-admin-zh")

    admin.click("[data-testid=language-switch] button[value=en]")
    admin.wait_for_load_state()
    assert "Users" in admin.locator("[data-testid=sidebar]").inner_text()
    admin.click("[data-testid=language-switch] button[value=zh-hans]")
    admin.wait_for_load_state()

    agent = browser.new_context().new_page()
    sign_in(agent, base, "agent")
    items = agent.locator("[data-testid=sidebar] a.nav-link").all_inner_texts()
    assert [text.strip() for text in items] == [
        "工作台",
        "线索",
        "跟进任务",
        "销售看板",
        "转化分析",
        "公海",
        "客户",
        "贷款申请",
        "话术库",
        "贷款台账",
        "逾期贷款",
        "逾期分档汇总",
        "贷款计算器",
    ]
    assert "销售专员" in agent.locator("[data-testid=user-roles]").inner_text()
    shot(agent, "home-agent-zh")

    admin.goto(f"{base}/accounts/users/new/")
    admin.fill("#id_username", "newbie")
    admin.fill("#id_full_name", "新员工")
    admin.fill("#id_password", "short")
    admin.click("[data-testid=user-form] button[type=submit]")
    assert "密码长度太短" in admin.content()
    shot(admin, "user-form-error")
    admin.fill("#id_password", "a long enough passphrase")
    admin.check("input[name=roles][value=collector]")
    admin.click("[data-testid=user-form] button[type=submit]")
    admin.wait_for_url("**/accounts/users/*/")
    assert "用户 newbie 已创建" in admin.content()

    admin.goto(f"{base}/accounts/users/?q=agent")
    admin.click("text=agent")
    admin.fill("[data-testid=disable-form] #id_reason", "离职")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click("[data-testid=disable-form] button[type=submit]")
    admin.wait_for_selector("[data-testid=status-disabled]")
    shot(admin, "user-disabled")

    agent.reload()
    assert "/accounts/login/" in agent.url
