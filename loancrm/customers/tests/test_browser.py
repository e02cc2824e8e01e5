"""End to end in Debian's Chromium: an agent converts a lead, reveals a mobile and edits a section of the 360 page."""

from __future__ import annotations

from loancrm.accounts.tests.factories import make_org_tree, make_user
from loancrm.core.tests.test_browser import browser, pytestmark, sign_in, site  # noqa: F401 (fixtures)
from loancrm.customers.models import Customer
from loancrm.customers.tests.factories import ID_1990, make_lead


def test_agent_converts_a_lead_and_works_the_customer_360(site, browser):  # noqa: F811
    org = make_org_tree()
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1, full_name="冯销售")
    lead = make_lead(agent, "13812345678", id_number=ID_1990, name="李四")
    page = browser.new_context(locale="zh-CN").new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, site, "agent")

    page.goto(f"{site}/leads/{lead.pk}/")
    page.click("[data-testid=convert-form] button[type=submit]")
    page.wait_for_url(f"{site}/customers/*/")
    customer = Customer.objects.get()
    assert f"客户 {customer.number}" in page.content() and "已创建" in page.content()
    identity = page.locator("[data-testid=card-identity]").inner_text()
    assert "110105********" + ID_1990[-4:] in identity and ID_1990 not in identity

    contacts = page.locator("[data-testid=card-contacts]")
    contacts.locator("summary").first.click()
    contacts.locator("input[name=reason]").first.fill("核实联系方式")
    contacts.locator("button[type=submit]").first.click()
    page.wait_for_selector("text=13812345678")

    page.click("[data-testid=edit-employment]")
    page.fill("#id_monthly_income", "-5")
    page.click("[data-testid=section-form] button[type=submit]")
    assert "确保该值大于或等于0" in page.content()
    page.fill("#id_monthly_income", "18500")
    page.fill("#id_employer", "北京某科技有限公司")
    page.click("[data-testid=section-form] button[type=submit]")
    page.wait_for_url(f"{site}/customers/*/#employment")
    assert "18,500.00" in page.locator("[data-testid=card-employment]").inner_text()
    assert errors == []
