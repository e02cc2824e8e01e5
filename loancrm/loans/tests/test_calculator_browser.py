"""The calculator page in Debian's Chromium: htmx result, the ECharts chart drawn, errors swapped in, the days field."""

from __future__ import annotations

import os

import pytest

from loancrm.accounts.tests.factories import make_org_tree, make_user
from loancrm.core.tests.test_browser import CHROMIUM, browser, shot, sign_in, site  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (make chromium)"),
]


def test_the_reference_loan_is_calculated_and_charted(site, browser):  # noqa: F811
    org = make_org_tree()
    make_user("agent", role="sales_agent", unit=org.bj_team1)
    page = browser.new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))  # script errors (a 422 is only a network log)
    sign_in(page, site, "agent")
    page.click("[data-nav=loan_calculator]")
    page.wait_for_url(f"{site}/loans/calculator/")
    days = page.locator("#id_term_days")
    assert not days.is_visible() and days.is_disabled()

    page.fill("#id_principal", "")
    page.fill("#id_annual_rate", "6")
    page.fill("#id_term_months", "12")
    page.click("[data-testid=calculate]")
    feedback = page.locator("#id_principal + .invalid-feedback")
    feedback.wait_for()
    assert feedback.inner_text() == "这个字段是必填项。"
    assert page.url == f"{site}/loans/calculator/"

    page.fill("#id_principal", "100000.00")
    page.fill("#id_start_date", "2026-01-15")
    page.click("[data-testid=calculate]")
    page.locator("[data-testid=schedule-table]").wait_for()
    assert page.locator("[data-testid=first-payment]").inner_text() == "8,606.64"
    assert page.locator("[data-testid=total-interest]").inner_text() == "3,279.73"
    first = page.locator("[data-testid=schedule-table] tbody tr").first.locator("td").all_inner_texts()
    assert first == ["1", "2026-02-15", "8,106.64", "500.00", "8,606.64", "91,893.36"]
    page.locator("[data-testid=calculator-chart] canvas").wait_for()
    bars = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-testid=calculator-chart]'))"
        ".getOption().series.map((s) => [s.stack, s.data.length, s.data[0]])"
    )
    assert bars == [["payment", 12, "8106.64"], ["payment", 12, "500.00"]]
    shot(page, "loan-calculator")

    page.select_option("#id_method", "bullet")
    assert days.is_visible() and days.is_enabled()
    page.fill("#id_term_months", "")
    page.fill("#id_term_days", "90")
    page.fill("#id_annual_rate", "7.2")
    page.fill("#id_principal", "50000.00")
    page.click("[data-testid=calculate]")
    page.locator("[data-testid=schedule-table] tbody tr >> nth=0 >> text=50,900.00").wait_for()
    assert page.locator("[data-testid=schedule-table] tbody tr").count() == 1
    assert page.locator("#id_term_days").is_visible()
    assert errors == []
