"""The bucket summary in Debian's Chromium: reached from the sidebar, its ECharts chart drawn with both series."""

from __future__ import annotations

import os

import pytest

from loancrm.accounts.tests.factories import make_org_tree, make_user
from loancrm.core.tests.test_browser import CHROMIUM, browser, shot, sign_in, site  # noqa: F401 - fixtures
from loancrm.loans.models import Loan
from loancrm.loans.tests.factories import make_customer, make_loan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (make chromium)"),
]


def test_the_bucket_summary_draws_its_chart(site, browser):  # noqa: F811
    org = make_org_tree()
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    late = make_loan(make_customer(owner=agent), contract_no="HT-LATE")
    make_loan(make_customer(owner=agent), contract_no="HT-CURRENT")
    Loan.objects.filter(pk=late.pk).update(status="overdue", dpd=40, bucket="M2", risk_class="special_mention")
    page = browser.new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, site, "agent")
    page.click("[data-nav=bucket_summary]")
    page.wait_for_url(f"{site}/servicing/buckets/")
    page.locator("[data-testid=bucket-chart] canvas").wait_for()
    series = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-testid=bucket-chart]'))"
        ".getOption().series.map((s) => [s.yAxisIndex, s.data.slice(0, 3)])"
    )
    assert series == [[0, [1, 0, 1]], [1, ["100000.00", "0.00", "100000.00"]]]
    assert page.locator("[data-testid=bucket-table] tr[data-bucket=M2] [data-testid=loans]").inner_text() == "1"
    shot(page, "bucket-summary")
    page.click("[data-testid=bucket-table] tr[data-bucket=M2] a")
    page.wait_for_url(f"{site}/servicing/overdue/?bucket=M2")
    assert page.locator("[data-testid=overdue-table] tbody tr").get_attribute("data-loan") == "HT-LATE"
    assert errors == []
