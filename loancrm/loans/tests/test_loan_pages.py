"""Loan pages: the scoped list (filters, sort, pagination, summary tiles), the loan page (summary, schedule and its
older versions, transactions with reversal links, journal, audit history), the customer 360 loans card, English."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from loancrm.accounts.tests.factories import make_user
from loancrm.core.testing.access import assert_scoped
from loancrm.customers.models import Customer
from loancrm.loans import views
from loancrm.loans.models import Loan
from loancrm.loans.services import payment_post, payment_reverse, payoff_quote, prepayment_post
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date
from loancrm.loans.tests.pages_support import agent_loan, client_for, make_people, pay_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return make_people(org)


def contracts_in(html: str) -> list[str]:
    return re.findall(r'<tr data-loan="([^"]+)"', html)


def test_list_shows_visible_loans_with_tiles_for_the_filtered_set(people):
    # given two loans of the agent, the first one's period 1 paid, the other's unpaid five days after its due date
    paid = agent_loan(people, name="张三")
    late = agent_loan(people, name="王五")
    pay_first(paid)
    set_business_date(dt.date(2026, 2, 20))
    make_loan(make_customer(owner=people["teammate"]))  # not in the agent's scope
    # when the agent opens the list
    html = client_for(people["agent"]).get("/loans/").content.decode()
    # then both loans, only those, with the tiles over them
    assert sorted(contracts_in(html)) == sorted([paid.contract_no, late.contract_no])
    assert re.search(r'data-testid="tile-count">2<', html)
    assert "¥191,893.36" in html  # 91,893.36 + 100,000.00
    assert re.search(r'data-testid="tile-overdue">.*>1</a>', html)
    assert html.count('data-testid="dpd"') == 1 and "逾期5天" in html
    # and the tiles follow the filters
    overdue = client_for(people["agent"]).get("/loans/", {"overdue": "on"}).content.decode()
    assert contracts_in(overdue) == [late.contract_no]
    assert re.search(r'data-testid="tile-count">1<', overdue) and "¥100,000.00" in overdue


def test_list_filters(people):
    first = agent_loan(people, name="张三", product_code="CAR", start_date=dt.date(2026, 1, 5))
    second = agent_loan(people, name="李四", product_code="CONSUMER", start_date=dt.date(2026, 1, 20))
    third = agent_loan(
        people, name="王五", product_code="CONSUMER", start_date=dt.date(2026, 1, 25), principal=Decimal(5000)
    )
    set_business_date(dt.date(2026, 2, 5))
    quote = payoff_quote(loan=third, as_of=dt.date(2026, 2, 5))
    prepayment_post(loan_id=third.pk, amount=quote.total, value_date=dt.date(2026, 2, 5), actor=None, payoff=True)
    client = client_for(people["agent"])

    def listed(**query: str) -> list[str]:
        return sorted(contracts_in(client.get("/loans/", query).content.decode()))

    assert listed(q=first.contract_no) == [first.contract_no]
    assert listed(q="李四") == [second.contract_no]
    assert listed(product="CAR") == [first.contract_no]
    assert listed(status="paid_off") == [third.contract_no]
    assert listed(start_from="2026-01-10", start_to="2026-01-20") == [second.contract_no]
    assert listed(start_from="not-a-date") == sorted([first.contract_no, second.contract_no, third.contract_no])
    assert listed(status="bogus") == sorted([first.contract_no, second.contract_no, third.contract_no])


def test_list_sorts_by_whitelisted_columns(people):
    small = agent_loan(people, name="甲", principal=Decimal("20000.00"))
    big = agent_loan(people, name="乙", principal=Decimal("90000.00"))
    mid = agent_loan(people, name="丙", principal=Decimal("50000.00"))
    client = client_for(people["agent"])
    order = [small.contract_no, mid.contract_no, big.contract_no]
    assert contracts_in(client.get("/loans/", {"sort": "principal"}).content.decode()) == order
    assert contracts_in(client.get("/loans/", {"sort": "-outstanding"}).content.decode()) == order[::-1]
    assert contracts_in(client.get("/loans/", {"sort": "contract"}).content.decode()) == sorted(order)
    # an unknown key falls back to the default (newest disbursement first, then newest booking)
    assert contracts_in(client.get("/loans/", {"sort": "customer__id_number"}).content.decode()) == [
        mid.contract_no, big.contract_no, small.contract_no,
    ]  # fmt: skip


def test_list_paginates(people):
    customer = make_customer(owner=people["agent"])
    loans = [make_loan(customer, principal=Decimal(10000 + i)) for i in range(21)]
    client = client_for(people["agent"])
    first = client.get("/loans/", {"sort": "principal"}).content.decode()
    second = client.get("/loans/", {"sort": "principal", "page": 2}).content.decode()
    assert len(contracts_in(first)) == 20 and contracts_in(second) == [loans[-1].contract_no]
    assert "1 / 2" in first and "2 / 2" in second
    assert re.search(r'data-testid="tile-count">21<', second)  # tiles count the whole filtered set


def test_loan_pages_are_scoped(people):
    loan = agent_loan(people)
    p = people
    for url in ("/loans/", f"/loans/{loan.pk}/"):
        other = [p["teammate"], p["lead_sh"]] if url != "/loans/" else []
        assert_scoped(url, allowed=[p["agent"], p["lead_bj"], p["ops"]], other_scope=other, no_permission=[p["qa"]])
    assert_scoped("/loans/999999/", other_scope=[p["ops"]])
    assert contracts_in(client_for(p["teammate"]).get("/loans/").content.decode()) == []


def test_loan_page_shows_summary_schedule_transactions_journal_and_history(people):
    # given the reference loan with period 1 paid and a second payment reversed
    loan = agent_loan(people)
    pay_first(loan, actor=people["ops"])
    set_business_date(dt.date(2026, 3, 15))
    second = payment_post(loan_id=loan.pk, amount=Decimal("8606.64"), value_date=dt.date(2026, 3, 15), actor=None)
    reversal = payment_reverse(transaction_id=second.pk, reason="错账", actor=people["ops"])
    # when the agent opens the loan page
    response = client_for(people["agent"]).get(f"/loans/{loan.pk}/")
    html = response.content.decode()
    # then the summary, with the customer's personal data masked and linked to the 360 page
    assert response.status_code == 200
    assert f'href="/customers/{loan.customer_id}/"' in html
    assert "¥91,893.36" in html and "6.00%" in html
    assert re.search(r'data-testid="next-due">2026-03-15 · ¥8,606.64<', html)
    # the current schedule: 12 rows, period 1 paid, period 2 due today again after the reversal, exact totals
    assert len(re.findall(r'<tr data-period="\d+"', html)) == 12
    assert 'data-period="1" data-state="paid"' in html and 'data-period="2" data-state="due"' in html
    assert re.search(r'data-testid="schedule-totals">.*?100,000.00.*?3,279.73.*?103,279.73', html, re.S)
    # transactions link the payment and its reversal both ways
    assert f'href="#txn-{reversal.pk}" data-testid="reversed-by-link"' in html
    assert f'href="#txn-{second.pk}" data-testid="reverses-link"' in html
    # the journal has the disbursement, two payments and the reversal with accounts
    assert len(re.findall(r'data-entry="\d+"', html)) == 4 and 'data-account="1122.01"' in html
    # and the audit history: booking, two postings, the reversal
    actions = re.findall(r'data-action="([\w.]+)"', html)
    assert actions == ["payment.reversed", "payment.posted", "payment.posted", "loan.booked"]
    # the chart's options are in the page as data, no inline script
    assert 'id="schedule-chart-options" type="application/json"' in html and "<script>" not in html


def test_older_schedule_versions_after_a_prepayment(people):
    loan = agent_loan(people)
    pay_first(loan)
    set_business_date(dt.date(2026, 3, 1))
    prepayment = prepayment_post(loan_id=loan.pk, amount=Decimal("30000.00"), value_date=dt.date(2026, 3, 1),
                                 actor=None, keep="term")  # fmt: skip
    client = client_for(people["agent"])
    current = client.get(f"/loans/{loan.pk}/").content.decode()
    assert 'data-version="2"' in current and 'data-version="1"' in current
    assert 'data-testid="superseded"' not in current
    old = client.get(f"/loans/{loan.pk}/", {"version": 1}).content.decode()
    assert 'data-testid="superseded"' in old and "2026-03-01" in old
    assert re.search(r'data-testid="schedule-totals">.*?100,000.00.*?3,279.73', old, re.S)
    assert prepayment.from_version == 1
    # an unknown version shows the current one
    assert 'data-testid="superseded"' not in client.get(f"/loans/{loan.pk}/", {"version": 9}).content.decode()


def test_payments_actions_panel_is_included_only_when_its_template_exists(people, tmp_path, monkeypatch, settings):
    loan = agent_loan(people)
    client = client_for(people["ops"])
    monkeypatch.setattr(views, "LOAN_ACTIONS_TEMPLATE", "loans/payments/_not_there.html")
    assert 'id="actions"' not in client.get(f"/loans/{loan.pk}/").content.decode()
    monkeypatch.undo()
    (tmp_path / "loans" / "payments").mkdir(parents=True)
    (tmp_path / "loans" / "payments" / "_loan_actions.html").write_text('<p data-testid="actions-stub">{{ loan }}</p>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    html = client.get(f"/loans/{loan.pk}/").content.decode()
    assert f'<p data-testid="actions-stub">{loan.contract_no}</p>' in html


def test_customer_page_lists_the_customers_loans(people):
    loan = agent_loan(people)
    pay_first(loan)
    html = client_for(people["agent"]).get(f"/customers/{loan.customer_id}/").content.decode()
    card = html[html.index('data-testid="card-loans"') :]
    assert f'href="/loans/{loan.pk}/"' in card and "91,893.36" in card and 'data-status="active"' in card
    # a user who may see customers but not loans gets no card
    viewer = make_user("viewer", unit=people["agent"].org_unit)
    viewer.user_permissions.add(Permission.objects.get(codename="view_customer", content_type__app_label="customers"))
    Loan.objects.filter(pk=loan.pk).update(officer=viewer)
    Customer.objects.filter(pk=loan.customer_id).update(owner=viewer)
    page = client_for(viewer).get(f"/customers/{loan.customer_id}/")
    assert page.status_code == 200 and 'data-testid="card-loans"' not in page.content.decode()


def test_pages_switch_to_english(people):
    loan = agent_loan(people)
    client = client_for(people["agent"])
    chinese = client.get(f"/loans/{loan.pk}/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/loans/{loan.pk}/").content.decode()
    assert '<html lang="en">' in english and "Repayment schedule" in english and "Outstanding principal" in english
    assert 'data-status="active">Active<' in english and "Equal instalment" in english
    listing = client.get("/loans/").content.decode()
    assert "Outstanding principal" in listing and "Overdue only" in listing and "Clear filters" not in listing
