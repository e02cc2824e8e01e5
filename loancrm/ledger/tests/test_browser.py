"""End to end in Debian's Chromium: the trial balance draws its chart, a period closes only once confirmed."""

from __future__ import annotations

from loancrm.accounts.tests.factories import make_org_tree, make_user
from loancrm.core.models import BusinessDate
from loancrm.core.tests.test_browser import browser, pytestmark, shot, sign_in, site  # noqa: F401 (fixtures)
from loancrm.ledger.choices import PeriodStatus
from loancrm.ledger.models import AccountingPeriod
from loancrm.ledger.tests.factories import D, accrue, disburse, make_loan


def test_operations_reads_the_trial_balance_and_closes_a_month(site, browser):  # noqa: F811
    BusinessDate.objects.create(singleton=1, current=D(2026, 12, 1))
    make_user("ops", role="operations", unit=make_org_tree().hq, full_name="赵运营")
    loan = make_loan()
    disburse(loan, D(2026, 10, 8))
    accrue(loan, 1, "60.00", D(2026, 10, 31))
    page = browser.new_context(locale="zh-CN").new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, site, "ops")

    page.goto(f"{site}/ledger/?month=2026-10")
    page.wait_for_selector("[data-testid=balance-chart] canvas")
    assert "贷款本金应收" in page.locator("[data-account='1122.01']").inner_text()
    assert page.locator("[data-testid=tb-difference]").inner_text() == "0.00"
    shot(page, "ledger-trial-balance")

    page.goto(f"{site}/ledger/periods/")
    close = page.locator("[data-testid=close-2026-10]")
    close.locator("input[name=reason]").fill("十月月结")
    page.once("dialog", lambda dialog: dialog.dismiss())
    close.locator("button").click()
    page.wait_for_timeout(300)  # a submitted form would have navigated by now
    assert close.count() == 1 and not AccountingPeriod.objects.filter(status=PeriodStatus.CLOSED).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    close.locator("button").click()
    page.wait_for_selector("[data-testid=close-2026-10]", state="detached")
    assert AccountingPeriod.objects.get(start=D(2026, 10, 1)).status == PeriodStatus.CLOSED
    assert "2026-10" in page.locator("#messages").inner_text()
    assert errors == []
