"""Must-show of #7, driven in Chromium as a customer and then as a credit director would do it.

A new customer signs in on the H5 pages with a mobile and the SMS code (read from the SMS simulator's outbox),
gives name and ID number, agrees to the credit-bureau authorisation, applies for the consumer loan, uploads
generated ID-card images (text rendered onto a card, ``loancrm.ocr.cards``), a bank card and a credit report, and
submits. The task worker pre-screens it (simulated bureau, multi-lending, court and blacklist data; rules,
scorecard, cut-offs) and reads the ID card by OCR. The administrator then opens the decision page, which explains the
outcome point by point, replays the decision, and opens the documents page with the OCR result.

Run against a server and a worker on the same database (``make demo`` starts both; the script reads the SMS
simulator's outbox from the default database, or from ``DATABASE_URL`` if the server uses one)::

    .venv/bin/python docs/examples/h5_application.py \\
        --base http://127.0.0.1:8000 --out var/must-show

Screenshots go to ``--out``; the script prints each step and exits non-zero when a step fails.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM reads beside Playwright's sync API (a script)

import django

django.setup()

from PIL import Image  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from loancrm.applications.models import Application  # noqa: E402
from loancrm.core.china_ids import id_check_digit  # noqa: E402
from loancrm.core.fields import blind_lookup  # noqa: E402
from loancrm.messaging.models import SmsMessage  # noqa: E402
from loancrm.ocr.cards import render_back, render_front  # noqa: E402

NAME = "林晓燕"
ADDRESS = "北京市朝阳区建国路88号院3号楼1单元502室"


def step(text: str) -> None:
    sys.stdout.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stdout.flush()


def person(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)  # noqa: S311 (demo data)
    mobile = f"137{rng.randrange(10**8):08d}"
    first17 = f"11010519{rng.randrange(80, 99)}0{rng.randrange(1, 9)}{rng.randrange(10, 28)}{rng.randrange(100, 999)}"
    first17 = first17[:16] + str(int(first17[16]) // 2 * 2)  # an even sequence digit: female, as 林晓燕
    return mobile, first17 + id_check_digit(first17)


def card_files(id_number: str, tmp: Path) -> dict[str, Path]:
    birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    front = render_front(name=NAME, gender="女", ethnicity="汉", birth_date=birth, address=ADDRESS,
                         id_number=id_number)  # fmt: skip
    back = render_back(authority="北京市公安局朝阳分局", valid_from=date(2020, 5, 1), valid_to=date(2040, 5, 1))
    bank = io.BytesIO()
    Image.new("RGB", (860, 540), (30, 80, 150)).save(bank, "JPEG")
    report = io.BytesIO()
    Image.new("RGB", (1240, 1754), (255, 255, 255)).save(report, "PDF")
    files = {"id_front": front, "id_back": back, "bank_card": bank.getvalue(), "credit_report": report.getvalue()}
    paths = {}
    for kind, data in files.items():
        suffix = {"bank_card": ".jpg", "credit_report": ".pdf"}.get(kind, ".png")
        paths[kind] = tmp / f"{kind}{suffix}"
        paths[kind].write_bytes(data)
    return paths


def submit(page: Page) -> None:
    """Press the step's own submit button (the header's sign-out form is a form too)."""
    page.locator("form:not([action*=logout]) button[type=submit]").first.click()
    page.wait_for_load_state()


def sms_code(mobile: str) -> str:
    for _ in range(50):
        message = SmsMessage.objects.filter(blind_lookup(SmsMessage, "mobile", mobile), template_code="login_code")
        found = message.order_by("-created_at").first()
        if found is not None:
            return re.search(r"验证码为(\d{6})", found.text).group(1)
        time.sleep(0.2)
    raise SystemExit("no SMS code was recorded")


def h5(page: Page, base: str, mobile: str, id_number: str, files: dict[str, Path], out: Path) -> Application:
    step("H5: sign in with mobile + SMS code")
    page.goto(f"{base}/h5/apply/login/")
    page.fill("input[name=mobile]", mobile)
    page.click("[data-testid=h5-send]")
    page.fill("input[name=code]", sms_code(mobile))
    page.click("[data-testid=h5-verify]")
    step("H5: identity")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=id_number]", id_number)
    submit(page)
    step("H5: my applications → apply; the credit-bureau authorisation comes first")
    page.goto(f"{base}/h5/apply/new/")
    page.check("input[name=consent]")
    submit(page)
    step("H5: product and terms")
    if "/new/" not in page.url:
        page.goto(f"{base}/h5/apply/new/")
    page.locator("[data-testid=h5-product]", has_text="消费贷").first.click()
    page.fill("input[name=amount]", "60000")
    page.select_option("select[name=term_months]", "12")
    page.select_option("select[name=purpose]", "decoration")
    page.screenshot(path=str(out / "1-h5-terms.png"), full_page=True)
    submit(page)
    step("H5: declarations")
    page.fill("input[name=monthly_income]", "18000")
    page.fill("input[name=monthly_debt]", "1200")
    page.fill("input[name=employment_years]", "6")
    page.select_option("select[name=housing]", "mortgaged")
    submit(page)
    application = Application.objects.filter(customer__name=NAME).order_by("-pk").first()
    step(f"H5: documents for {application.number}")
    page.goto(f"{base}/h5/apply/{application.pk}/documents/")
    for kind, path in files.items():
        form = page.locator(f"form:has(input[name=doc_type][value={kind}])")
        with page.expect_navigation():
            form.locator("input[type=file]").set_input_files(str(path))
    page.screenshot(path=str(out / "2-h5-documents.png"), full_page=True)
    step("H5: review and submit")
    page.goto(f"{base}/h5/apply/{application.pk}/review/")
    page.click("[data-testid=h5-submit]")
    page.screenshot(path=str(out / "3-h5-submitted.png"), full_page=True)
    return application


def wait_for_worker(application: Application, timeout_s: float) -> None:
    from loancrm.documents.models import IdCardReading

    step("worker: waiting for the pre-screen and the OCR reading")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        application.refresh_from_db()
        reading = IdCardReading.objects.filter(application=application).order_by("-pk").first()
        if application.decided_at and reading is not None and reading.status in ("done", "failed"):
            step(f"decided: {application.status}; OCR reading {reading.status}, needs review: {reading.needs_review}")
            return
        time.sleep(1)
    raise SystemExit("the worker did not decide the application in time: is `manage.py run_worker` running?")


def back_office(page: Page, base: str, application: Application, out: Path) -> None:
    step("back office: the administrator opens the decision page (an unowned H5 application is visible company-wide)")
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "loancrm-demo-2026")
    page.click("button[type=submit]")
    page.goto(f"{base}/decisions/application/{application.pk}/")
    page.wait_for_timeout(800)
    page.screenshot(path=str(out / "4-decision.png"), full_page=True)
    step("back office: replay under the original versions")
    page.locator("form[action$='/replay/'] button").first.click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / "5-decision-replayed.png"), full_page=True)
    page.goto(f"{base}/documents/application/{application.pk}/")
    page.screenshot(path=str(out / "6-documents-ocr.png"), full_page=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="var/must-show")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mobile, id_number = person(args.seed)
    files = card_files(id_number, out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = phone.new_page()
        try:
            application = h5(page, args.base.rstrip("/"), mobile, id_number, files, out)
        except Exception:
            page.screenshot(path=str(out / "failed.png"), full_page=True)
            step(f"failed on {page.url}; see {out / 'failed.png'}")
            raise
        wait_for_worker(application, args.timeout)
        desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        back_office(desk.new_page(), args.base.rstrip("/"), application, out)
        browser.close()
    step(f"done: screenshots in {out}")


if __name__ == "__main__":
    main()
