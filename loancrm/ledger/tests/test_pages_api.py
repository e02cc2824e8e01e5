"""Ledger pages and API: what each role reaches, record scope, Chinese by default and English on request, the
period close and reopen from the page and the API, the error shape."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from loancrm.core.models import AuditEvent
from loancrm.core.testing.access import assert_scoped
from loancrm.ledger.choices import Acct, PeriodStatus
from loancrm.ledger.models import AccountingPeriod
from loancrm.ledger.posting import journal_reverse
from loancrm.ledger.tests.factories import D, accrue, disburse, make_loan, repay

pytestmark = pytest.mark.django_db


def client_for(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def in_english(client):
    """Pages follow the language switch's cookie (the API follows Accept-Language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def book(org, people):
    a = make_loan("HT-A", officer=people.officer, unit=org.bj_team1)
    b = make_loan("HT-B", principal="5000.00", unit=org.sh_team1, start=D(2026, 10, 15))
    disbursed = disburse(a, D(2026, 10, 1))
    accrued = accrue(a, 1, "60.00", D(2026, 10, 31))
    repaid = repay(a, 1, "4000.00", "60.00", D(2026, 11, 2))
    reversal = journal_reverse(accrued, entry_date=D(2026, 11, 3), memo="冲正计提")
    return SimpleNamespace(a=a, b=b, disbursed=disbursed, accrued=accrued, repaid=repaid, reversal=reversal,
                           b_disbursed=disburse(b, D(2026, 10, 15)))  # fmt: skip


def test_trial_balance_page_in_chinese_by_default_and_in_english(people, book):
    page = client_for(people.ops).get("/ledger/", {"month": "2026-10"})
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="zh-hans">' in html
    assert 'data-account="1122.01"' in html and "贷款本金应收" in html and "Loan principal receivable" not in html
    assert "合计" in html and 'data-testid="balanced-badge"' in html and "bg-green-lt" in html
    assert 'data-testid="tb-difference">0.00<' in html and "17,060.00" in html  # total debits of October
    assert 'id="balance-options"' in html and "vendor/echarts/echarts.min.js" in html
    chart = json.loads(html.split('id="balance-options" type="application/json">')[1].split("</script>")[0])
    assert chart["series"][0]["data"] == ["-17000.00", "17000.00", "60.00", "60.00"]
    english = in_english(client_for(people.ops)).get("/ledger/", {"month": "2026-10"})
    html = english.content.decode()
    assert '<html lang="en">' in html and "Loan principal receivable" in html and "贷款本金应收" not in html
    assert "Total" in html and "Trial balance" in html


def test_trial_balance_page_defaults_to_the_business_month_and_reports_bad_input(people, book):
    client = client_for(people.compliance)
    assert "2026-12-01 to 2026-12-01" in in_english(client).get("/ledger/").content.decode()
    page = client.get("/ledger/", {"month": "2026-13"}).content.decode()
    assert "YYYY-MM" in page and 'data-testid="tb-table"' in page


def test_journal_page_filters_sorts_and_links(people, book):
    client = client_for(people.ops)
    html = client.get("/ledger/journal/").content.decode()
    rows = [part.split('"')[0] for part in html.split('data-entry="')[1:]]
    assert rows == [str(e.pk) for e in (book.reversal, book.repaid, book.accrued, book.b_disbursed, book.disbursed)]
    assert "4,060.00" in html and f'href="/ledger/journal/{book.accrued.pk}/"' in html
    filtered = client.get("/ledger/journal/", {"contract_no": "HT-B"}).content.decode()
    assert filtered.count('data-entry="') == 1 and f'data-entry="{book.b_disbursed.pk}"' in filtered
    by_account = client.get("/ledger/journal/", {"account": Acct.INTEREST, "sort": "number"}).content.decode()
    assert [part.split('"')[0] for part in by_account.split('data-entry="')[1:]] == [
        str(book.accrued.pk),
        str(book.repaid.pk),
        str(book.reversal.pk),
    ]
    bad = client.get("/ledger/journal/", {"amount_min": "abc"})
    assert bad.status_code == 200 and bad.content.decode().count('data-entry="') == 5


def test_entry_page_shows_lines_loan_and_both_reversal_links(people, book):
    client = client_for(people.ops)
    original = client.get(f"/ledger/journal/{book.accrued.pk}/").content.decode()
    assert f'href="/ledger/journal/{book.reversal.pk}/"' in original and 'data-testid="reversed-by"' in original
    assert "HT-A" in original and "应收利息" in original and "60.00" in original
    mirror = client.get(f"/ledger/journal/{book.reversal.pk}/").content.decode()
    assert f'href="/ledger/journal/{book.accrued.pk}/"' in mirror and 'data-testid="reverses"' in mirror


def test_entry_page_and_api_are_scoped(people, book):
    p = people
    for template in ("/ledger/journal/{pk}/", "/api/v1/ledger/entries/{pk}"):
        assert_scoped(template.format(pk=book.disbursed.pk), allowed=[p.ops, p.admin, p.compliance, p.bj_finance],
                      other_scope=[p.sh_finance], no_permission=[p.agent, p.officer])  # fmt: skip
        assert_scoped(template.format(pk=999999), other_scope=[p.ops, p.bj_finance])
    assert client_for(p.sh_finance).get("/api/v1/ledger/entries").json()["count"] == 1


def test_periods_page_offers_close_and_reopen_by_permission(people, book):
    html = client_for(people.ops).get("/ledger/periods/").content.decode()
    assert 'data-month="2026-12"' in html and 'data-month="2026-10"' in html
    assert 'data-testid="close-2026-10"' in html and 'data-testid="close-2026-11"' not in html  # October first
    assert "data-confirm=" in html
    assert 'data-testid="close-' not in client_for(people.compliance).get("/ledger/periods/").content.decode()
    client_for(people.ops).post("/ledger/periods/close/", {"month": "2026-10", "reason": "十月月结"})
    assert 'data-testid="reopen-2026-10"' not in client_for(people.ops).get("/ledger/periods/").content.decode()
    assert 'data-testid="reopen-2026-10"' in client_for(people.admin).get("/ledger/periods/").content.decode()


def test_closing_and_reopening_from_the_page(people, book):
    client = in_english(client_for(people.ops))
    response = client.post("/ledger/periods/close/", {"month": "2026-10", "reason": "十月月结"}, follow=True)
    assert response.redirect_chain[-1][0] == "/ledger/periods/"
    assert "2026-10 is closed." in response.content.decode()
    assert AccountingPeriod.objects.get(start=D(2026, 10, 1)).status == PeriodStatus.CLOSED
    again = client.post("/ledger/periods/close/", {"month": "2026-10", "reason": "again"}, follow=True)
    assert "2026-10 is already closed." in again.content.decode()
    missing = client.post("/ledger/periods/close/", {"month": "2026-11"}, follow=True).content.decode()
    assert "Nothing was changed" in missing and not AccountingPeriod.objects.filter(start=D(2026, 11, 1)).exists()
    assert client.post("/ledger/periods/reopen/", {"month": "2026-10", "reason": "x"}).status_code == 403
    admin = in_english(client_for(people.admin))
    reopened = admin.post("/ledger/periods/reopen/", {"month": "2026-10", "reason": "补记"}, follow=True)
    assert "2026-10 is open again." in reopened.content.decode()
    actions = AuditEvent.objects.filter(action__startswith="ledger.").order_by("id").values_list("action", flat=True)
    assert list(actions) == ["ledger.period_closed", "ledger.period_reopened"]


def test_api_trial_balance_entries_and_entry(people, book):
    client = client_for(people.ops)
    tb = client.get("/api/v1/ledger/trial-balance", {"month": "2026-11"}).json()
    assert (tb["date_from"], tb["as_of"], tb["balanced"], tb["difference"]) == (
        "2026-11-01",
        "2026-11-30",
        True,
        "0.00",
    )
    principal = next(row for row in tb["accounts"] if row["code"] == Acct.PRINCIPAL)
    assert principal == {
        "code": "1122.01", "kind": "asset", "name": "贷款本金应收", "name_zh": "贷款本金应收",
        "name_en": "Loan principal receivable", "debit_normal": True, "opening": "17000.00", "debits": "0.00",
        "credits": "4000.00", "closing": "13000.00",
    }  # fmt: skip
    as_of = client.get("/api/v1/ledger/trial-balance", {"as_of": "2026-10-31", "date_from": "2026-10-01"}).json()
    assert (as_of["total_debits"], as_of["total_credits"]) == ("17060.00", "17060.00")
    english = client_for(people.ops, HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/ledger/trial-balance").json()
    assert english["accounts"][0]["name"] == "Disbursement clearing"
    page = client.get("/api/v1/ledger/entries", {"kind": "repayment", "page_size": 1}).json()
    assert (page["count"], page["page"], page["page_size"]) == (1, 1, 1)
    assert page["items"][0] | {"posted_at": None} == {
        "id": book.repaid.pk, "entry_date": "2026-11-02", "kind": "repayment", "memo": "还款 HT-A",
        "loan_id": book.a.pk, "contract_no": "HT-A", "amount": "4060.00", "reverses_id": None,
        "reversed_by_id": None, "posted_at": None, "posted_by": None,
    }  # fmt: skip
    detail = client.get(f"/api/v1/ledger/entries/{book.accrued.pk}").json()
    assert (detail["reversed_by_id"], detail["amount"]) == (book.reversal.pk, "60.00")
    assert [(line["account"], line["debit"], line["credit"], line["contract_no"]) for line in detail["lines"]] == [
        (Acct.INTEREST, "60.00", "0.00", "HT-A"), (Acct.INTEREST_INCOME, "0.00", "60.00", None),
    ]  # fmt: skip


def test_api_period_close_reopen_and_errors(people, book):
    ops = client_for(people.ops)
    body = json.dumps({"reason": "十月月结"})
    closed = ops.post("/api/v1/ledger/periods/2026-10/close", body, content_type="application/json")
    assert closed.status_code == 200
    assert closed.json() | {"closed_at": None} == {
        "month": "2026-10", "status": "closed", "closed_at": None, "closed_by": "ops1", "entries": None,
        "ended": None, "can_close": None, "can_reopen": None,
    }  # fmt: skip
    twice = ops.post("/api/v1/ledger/periods/2026-10/close", body, content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "period_already_closed"
    early = ops.post("/api/v1/ledger/periods/2026-12/close", body, content_type="application/json")
    assert early.status_code == 409 and early.json()["code"] == "period_not_ended"
    bad = ops.post("/api/v1/ledger/periods/2026-1/close", body, content_type="application/json")
    assert bad.status_code == 400 and bad.json() == {
        "code": "validation_error", "message": "部分字段无效。", "fields": {"month": ["部分字段无效。"]}
    }  # fmt: skip
    periods = ops.get("/api/v1/ledger/periods").json()
    assert [(p["month"], p["status"], p["can_close"], p["can_reopen"]) for p in periods] == [
        ("2026-12", "open", False, False), ("2026-11", "open", True, False), ("2026-10", "closed", False, True),
    ]  # fmt: skip
    reopen = "/api/v1/ledger/periods/2026-10/reopen"
    assert ops.post(reopen, body, content_type="application/json").status_code == 403
    admin = client_for(people.admin)
    assert admin.post(reopen, body, content_type="application/json").json()["status"] == "open"
    assert AuditEvent.objects.filter(action="ledger.period_reopened", actor_id=people.admin.pk).count() == 1
