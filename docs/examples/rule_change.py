"""Must-show of #7: a rule change backtested, published, and an old decision replayed under its original versions.

In Chromium, as the demo users would: operations (``ops``) opens the published demo rule set, makes the next version,
adds a rule, tries to publish (refused: not backtested), runs the backtest on the recent decisions, reads the change
in approval rate, and publishes. The administrator then replays the oldest demo decision, which keeps the rule set
version it was made under, and sees the replay confirm the same outcome.

Run against a demo server (``make demo``)::

    .venv/bin/python docs/examples/rule_change.py --base http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM reads beside Playwright's sync API (a script)

import django

django.setup()

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from loancrm.decisioning.models import Decision  # noqa: E402
from loancrm.rules.demo import DEMO_NAME  # noqa: E402
from loancrm.rules.models import RuleSet, RuleSetStatus  # noqa: E402

PASSWORD = "loancrm-demo-2026"  # noqa: S105 (the documented demo password)


def step(text: str) -> None:
    sys.stdout.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stdout.flush()


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def change_rules(page: Page, base: str, out: Path) -> RuleSet:
    published = RuleSet.objects.filter(name=DEMO_NAME, status=RuleSetStatus.PUBLISHED).order_by("-version").first()
    step(f"operations: {published.name} v{published.version} → new version")
    page.goto(f"{base}/rules/{published.pk}/")
    page.locator(f"form[action='/rules/{published.pk}/new-version/'] button").click()
    page.wait_for_load_state()
    draft = RuleSet.objects.filter(name=DEMO_NAME, status=RuleSetStatus.DRAFT).order_by("-version").first()
    step(f"operations: add a rule to v{draft.version}")
    page.goto(f"{base}/rules/{draft.pk}/rules/new/")
    page.fill("input[name=code]", f"inquiries_6m_v{draft.version}")
    page.fill("textarea[name=expression], input[name=expression]", "inquiries_6m >= 3")
    page.select_option("select[name=action]", "manual_review")
    page.fill("input[name=reason_code]", "M10_MANY_INQUIRIES")
    page.fill("input[name=description], textarea[name=description]", "近 6 个月征信查询 3 次及以上，转人工")
    page.click("[data-testid=save-rule]")
    page.wait_for_load_state()
    step("operations: publish before a backtest (refused)")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=publish]")
    page.wait_for_load_state()
    page.screenshot(path=str(out / "rule-1-publish-refused.png"), full_page=True)
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT, "publishing without a backtest must be refused"
    step("operations: backtest on the recent decisions")
    page.click("[data-testid=backtest]")
    page.locator("[data-testid=backtest-form] button[type=submit]").click()
    page.wait_for_load_state()
    page.wait_for_timeout(800)
    page.screenshot(path=str(out / "rule-2-backtest.png"), full_page=True)
    step("operations: publish")
    page.goto(f"{base}/rules/{draft.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=publish]")
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.PUBLISHED, "publishing after the backtest must succeed"
    page.screenshot(path=str(out / "rule-3-published.png"), full_page=True)
    return draft


def replay_old_decision(page: Page, base: str, out: Path, new: RuleSet) -> None:
    old = Decision.objects.exclude(rule_set=new).order_by("created_at", "pk").first()
    step(f"admin: replay decision of {old.application.number} (rule set v{old.rule_set_version}, now v{new.version})")
    page.goto(f"{base}/decisions/application/{old.application_id}/")
    page.locator("[data-testid=replay-form] button").click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / "rule-4-replayed.png"), full_page=True)
    replay = old.replays.order_by("-pk").first()
    assert replay is not None and replay.same_outcome, "the replay must confirm the recorded outcome"
    step(f"replayed: same outcome ({old.outcome}) under rule set v{old.rule_set_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="var/must-show")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        ops = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
        login(ops, base, "ops")
        new = change_rules(ops, base, out)
        admin = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
        login(admin, base, "admin")
        replay_old_decision(admin, base, out, new)
        browser.close()
    step(f"done: screenshots in {out}")


if __name__ == "__main__":
    main()
