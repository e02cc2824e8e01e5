"""End to end in Debian's Chromium: a sales lead uploads a file, checks the preview, starts, sees the summary."""

from __future__ import annotations

import os

import pytest

from loancrm.accounts.tests.factories import make_org_tree, make_user
from loancrm.core.tests.test_browser import CHROMIUM, browser, shot, sign_in, site  # noqa: F401 (fixtures)
from loancrm.imports.tests.conftest import xlsx_bytes
from loancrm.leads.models import Channel

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (make chromium)"),
]
ROWS = [["姓名", "手机号"], ["张三", "13800000001"], ["李四", "12345"], ["张三", "13800000001"]]


def test_a_sales_lead_imports_a_file(site, browser):  # noqa: F811
    org = make_org_tree()
    make_user("boss", role="sales_lead", unit=org.bj_team1, full_name="赵组长")
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    channel = Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1)
    page = browser.new_context(locale="zh-CN").new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, site, "boss")
    assert "线索导入" in page.locator("[data-testid=sidebar]").inner_text()
    page.goto(f"{site}/imports/new/")
    page.set_input_files("#id_file", files=[{"name": "名单.xlsx", "mimeType": "application/octet-stream",
                                              "buffer": xlsx_bytes(ROWS)}])  # fmt: skip
    page.select_option("#id_channel", str(channel.pk))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_url("**/imports/*/")
    preview = page.locator("[data-testid=preview]").inner_text()
    assert "138****0001" in preview and "请输入有效的中国大陆手机号" in preview
    shot(page, "import-mapping")
    page.click("[data-testid=start-import]")
    page.wait_for_selector("[data-testid=count-created]")
    assert page.locator("[data-testid=count-created]").inner_text() == "1"
    assert page.locator("[data-testid=count-duplicates]").inner_text() == "1"
    assert page.locator("[data-testid=count-invalid]").inner_text() == "1"
    assert "下载 2 条未导入的行" in page.locator("[data-testid=download-rejected]").inner_text()
    shot(page, "import-done")
