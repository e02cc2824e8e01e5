"""Must-show of #8, driven in Chromium as the demo users: manual review → opinion → supervisor + countersign →
signed contract → disbursed loan.

1. The credit supervisor hands a high-risk Beijing case in manual review to ``reviewer``; the reviewer claims it,
   places a simulated verification call, records the call, and submits an approving opinion (150,000 at most).
2. The route for ≤ 200,000 and high risk is reviewer → credit supervisor → 风险合规会签 (credit director and
   compliance officer, both). ``supervisor`` approves, then ``director`` and ``compliance`` sign the countersign.
3. Approval prepares the contract; the task worker renders it (WeasyPrint, CJK font). The borrower opens the signing
   page, asks for the SMS code (read from the simulator's outbox), signs; the lender's PAdES seal goes on.
   The signed PDF is downloaded: its Chinese text is extracted, ``contract_verify`` passes, and a copy with one
   byte flipped fails (exit 1).
4. ``ops`` verifies the disbursement account by the penny test, requests the disbursement, the simulated channel
   answers through its signed callback (worker), and the loan page shows the schedule; the journal of the loan is
   checked to balance.

Run against a server and a worker on the same database (``make demo`` starts both)::

    .venv/bin/python docs/examples/credit_to_disbursement.py --base http://127.0.0.1:8000 --out var/must-show
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM reads beside Playwright's sync API (a script)

import django

django.setup()

from django.db.models import Sum  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from loancrm.accounts.models import User  # noqa: E402
from loancrm.applications.models import Application  # noqa: E402
from loancrm.contracts.models import Contract  # noqa: E402
from loancrm.decisioning.risk import HIGH, risk_level_of_decision  # noqa: E402
from loancrm.disbursements.models import DisbursementOrder  # noqa: E402
from loancrm.ledger.models import JournalLine  # noqa: E402
from loancrm.messaging.models import SmsMessage  # noqa: E402
from loancrm.underwriting.models import ReviewCase  # noqa: E402

PASSWORD = "loancrm-demo-2026"  # noqa: S105 (the demo logins)
ROOT = Path(__file__).resolve().parents[2]


def step(text: str) -> None:
    sys.stdout.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stdout.flush()


def login(browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def wait_for(what: str, probe, seconds: float = 300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


def pick_case() -> ReviewCase:
    """An open Beijing review case of a high-risk application above 50,000 (the reviewer-only band)."""
    cases = ReviewCase.objects.select_related("application__decision", "team__org_unit").filter(
        application__status="manual_review", status__in=("queued", "claimed"), team__org_unit__code="BJ-CREDIT",
        application__amount__gt=Decimal(50000),
    ).order_by("pk")  # fmt: skip
    for case in cases:
        if risk_level_of_decision(getattr(case.application, "decision", None)) == HIGH:
            return case
    raise SystemExit("no open high-risk Beijing case above 50,000 in the demo data")


def review(browser, base: str, out: Path, case: ReviewCase) -> Application:
    application = case.application
    amount = min(application.amount, application.product_version.max_amount, Decimal(150000))
    if case.assignee is None or case.assignee.username != "reviewer":
        step(f"supervisor: reassign {application.number} to reviewer")
        supervisor = login(browser, base, "supervisor")
        supervisor.goto(f"{base}/underwriting/case/{case.pk}/")
        form = supervisor.locator("[data-testid=reassign-form]")
        form.locator("select[name=assignee]").select_option(str(User.objects.get(username="reviewer").pk))
        form.locator("[name=reason]").fill("演示：交由吴信审处理")
        form.locator("button[type=submit]").click()
        supervisor.wait_for_load_state()
        supervisor.context.close()
    reviewer = login(browser, base, "reviewer")
    reviewer.goto(f"{base}/underwriting/case/{case.pk}/")
    if reviewer.locator("[data-testid=claim-form]").count():
        step(f"reviewer: claim {application.number}")
        reviewer.locator("[data-testid=claim-form] button[type=submit]").click()
        reviewer.wait_for_load_state()
    step("reviewer: click-to-call (simulated telephony attaches a recording) and record the call")
    reviewer.locator("[data-testid=call-form] button[type=submit]").click()
    reviewer.wait_for_load_state()
    phone = reviewer.locator("[data-testid=phone-form]").first
    phone.locator("select[name=result]").select_option("connected")
    for item in ("identity", "employer", "income", "purpose"):
        answer = phone.locator(f"input[name=answer_{item}][value=confirmed]")
        if answer.count():
            answer.check()
    phone.locator("[name=notes]").fill("本人接听，核实工作单位与收入，借款用途为装修。")
    phone.locator("button[type=submit]").click()
    reviewer.wait_for_load_state()
    if reviewer.locator(".alert-danger").count():
        raise SystemExit("the call record was refused: " + reviewer.locator(".alert-danger").first.inner_text())
    reviewer.screenshot(path=str(out / "8-1-workbench.png"), full_page=True)
    step(f"reviewer: opinion — approve {amount:,.2f}")
    form = reviewer.locator("[data-testid=opinion-form]")
    form.locator("input[name=recommendation][value=approve]").check()
    form.locator("input[name=amount]").fill(f"{amount:.2f}")
    form.locator("[name=risk_points]").fill("多头借贷查询较多\n工作年限较短")
    form.locator("[name=comment]").fill("电核通过，收入稳定，负债可控；因多头查询偏多，建议按15万以内批准。")
    form.locator("[data-testid=opinion-submit]").click()
    reviewer.wait_for_load_state()
    application.refresh_from_db()
    step(f"application {application.number} is now {application.get_status_display()}")
    if application.status != "in_approval":
        raise SystemExit("the opinion did not start the approval chain")
    reviewer.context.close()
    return application


def approve(browser, base: str, out: Path, application: Application) -> None:
    case = application.approval_case
    for n, username in enumerate(("supervisor", "director", "compliance"), start=1):
        page = login(browser, base, username)
        page.goto(f"{base}/approvals/cases/{case.pk}/")
        form = page.locator("[data-testid=action-form]")
        form.locator("[name=comment]").fill(f"{username}：同意，按信审意见批准。")
        step(f"{username}: approve")
        form.locator("button[name=action][value=approve]").click()
        page.wait_for_load_state()
        page.screenshot(path=str(out / f"8-2-approval-{n}-{username}.png"), full_page=True)
        page.context.close()
    application.refresh_from_db()
    step(
        f"application {application.number}: {application.get_status_display()}, approved {application.approved_amount}"
    )
    if application.approved_amount is None:
        raise SystemExit("the chain did not approve the application")


def sign(browser, base: str, out: Path, application: Application) -> Contract:
    contract = wait_for(
        "the contract to be rendered by the worker",
        lambda: Contract.objects.filter(application=application, status="awaiting_signatures").first(),
    )
    step(f"contract {contract.contract_no} rendered; the borrower signs on the H5 page")
    ops = login(browser, base, "ops")
    ops.goto(f"{base}/contracts/{contract.pk}/")
    link = ops.locator("[data-testid=signing-link]").first.get_attribute("href")
    borrower = browser.new_context(viewport={"width": 420, "height": 900}, locale="zh-CN").new_page()
    borrower.goto(link if link.startswith("http") else base + link)
    borrower.check("[data-testid=h5-read]")
    borrower.click("[data-testid=h5-send-code]")
    borrower.wait_for_load_state()
    message = wait_for(
        "the signing code",
        lambda: SmsMessage.objects.filter(template_code="contract_sign_code").order_by("-id").first(),
    )
    code = re.search(r"验证码为(\d{6})", message.text).group(1)
    borrower.check("[data-testid=h5-read]")
    borrower.fill("input[name=code]", code)
    borrower.click("[data-testid=h5-sign]")
    borrower.wait_for_load_state()
    borrower.screenshot(path=str(out / "8-3-h5-signed.png"), full_page=True)
    contract = wait_for("the seal", lambda: Contract.objects.filter(pk=contract.pk, status="signed").first(), 60)
    ops.goto(f"{base}/contracts/{contract.pk}/")
    if not ops.locator("[data-testid=verify-valid]").count():
        raise SystemExit("the contract page does not show a valid signature")
    ops.screenshot(path=str(out / "8-4-contract.png"), full_page=True)
    href = ops.locator("[data-testid=download-signed]").get_attribute("href").replace("?inline=1", "")
    with ops.expect_download() as download:
        ops.evaluate(
            "u => { const a = document.createElement('a'); a.href = u; a.download = 'c.pdf'; a.click(); }", href
        )
    pdf = out / f"{contract.contract_no}.pdf"
    download.value.save_as(pdf)
    check_pdf(pdf, contract.contract_no)
    ops.context.close()
    borrower.context.close()
    return contract


def check_pdf(pdf: Path, contract_no: str) -> None:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    step(f"signed PDF: {len(document)} pages, {pdf.stat().st_size:,} bytes; text has 借款合同: {'借款合同' in text}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    manage = [sys.executable, str(ROOT / "manage.py"), "contract_verify", contract_no]
    good = subprocess.run([*manage, "--file", str(pdf)], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    step(f"contract_verify (downloaded copy): exit {good.returncode} — {good.stdout.strip().splitlines()[-1]}")
    flipped = pdf.with_name(pdf.stem + "-flipped.pdf")
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped.write_bytes(bytes(data))
    bad = subprocess.run([*manage, "--file", str(flipped)], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    step(f"contract_verify (one byte flipped): exit {bad.returncode} — {bad.stdout.strip().splitlines()[-1]}")
    if good.returncode != 0 or bad.returncode != 1 or "借款合同" not in text:
        raise SystemExit("the contract PDF checks failed")


def disburse(browser, base: str, out: Path, application: Application) -> None:
    ops = login(browser, base, "ops")
    ops.goto(f"{base}/disbursements/application/{application.pk}/")
    step("ops: penny test on the borrower's account")
    if ops.locator("[data-testid=penny-start]").count():
        ops.fill("input[name=bank_name]", "中国工商银行")
        ops.fill("input[name=holder_name]", application.customer.name)
        ops.fill("input[name=account_no]", "6222020200112345678")
        ops.click("[data-testid=penny-start]")
        ops.wait_for_load_state()
    note = ops.locator("[data-testid=penny-simulator-note]").inner_text()
    amount = re.search(r"(\d+\.\d{2})", note).group(1)
    ops.fill("form[action$='/penny/confirm/'] input[name=amount]", amount)
    ops.click("[data-testid=penny-confirm]")
    ops.wait_for_load_state()
    ops.screenshot(path=str(out / "8-5-checklist.png"), full_page=True)
    step("ops: request the disbursement; the simulated channel answers through its signed callback")
    ops.click("[data-testid=request-disbursement]")
    ops.wait_for_load_state()
    order = wait_for(
        "the channel's callback",
        lambda: DisbursementOrder.objects.filter(application=application, status="succeeded").first(),
    )
    ops.goto(f"{base}/disbursements/application/{application.pk}/")
    ops.screenshot(path=str(out / "8-6-disbursed.png"), full_page=True)
    loan = order.loan
    href = ops.locator("[data-testid=loan-link]").first.get_attribute("href")
    ops.goto(href if href.startswith("http") else base + href)
    ops.screenshot(path=str(out / "8-7-loan.png"), full_page=True)
    lines = JournalLine.objects.filter(entry__loan_id=loan.pk)
    debit = lines.aggregate(s=Sum("debit"))["s"]
    credit = lines.aggregate(s=Sum("credit"))["s"]
    step(f"loan {loan.contract_no}: {loan.installments.count()} instalments, principal {loan.principal}; "
         f"journal debits {debit} = credits {credit}")  # fmt: skip
    application.refresh_from_db()
    if application.status != "disbursed" or debit != credit:
        raise SystemExit("the loan is not booked as expected")
    ops.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="var/must-show")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    case = pick_case()
    step(f"case {case.pk}: {case.application.number}, {case.application.amount} yuan, high risk, team {case.team}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        application = review(browser, base, out, case)
        approve(browser, base, out, application)
        sign(browser, base, out, application)
        disburse(browser, base, out, application)
        browser.close()
    step(f"done: screenshots in {out}")


if __name__ == "__main__":
    main()
