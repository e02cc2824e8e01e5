"""Loans read API: scope (404 outside it), list filters, sort and pagination, the summary, schedule versions,
transactions with their reversal links, lookup by contract number; money as two-decimal strings."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from loancrm.core.testing.access import assert_scoped
from loancrm.loans.services import payment_post, payment_reverse, prepayment_post
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date
from loancrm.loans.tests.pages_support import agent_loan, client_for, make_people, pay_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return make_people(org)


def test_every_loan_endpoint_is_scoped(people):
    loan = agent_loan(people)
    p = people
    for url in (
        f"/api/v1/loans/{loan.pk}",
        f"/api/v1/loans/{loan.pk}/schedule",
        f"/api/v1/loans/{loan.pk}/transactions",
        f"/api/v1/loans/by-contract/{loan.contract_no}",
    ):
        assert_scoped(url, allowed=[p["agent"], p["lead_bj"], p["ops"]], other_scope=[p["teammate"], p["lead_sh"]],
                      no_permission=[p["qa"]])  # fmt: skip
    assert_scoped("/api/v1/loans", allowed=[p["agent"], p["teammate"]], no_permission=[p["qa"]])
    assert_scoped("/api/v1/loans/999999", other_scope=[p["ops"]])
    assert client_for(p["teammate"]).get("/api/v1/loans").json()["count"] == 0
    assert client_for(p["lead_bj"]).get("/api/v1/loans").json()["count"] == 1


def test_list_filters_sort_and_pagination(people):
    # given three loans of the agent, one of them overdue on the business date
    small = agent_loan(people, name="张三", principal=Decimal("20000.00"), product_code="CAR")
    big = agent_loan(people, name="李四", principal=Decimal("90000.00"), start_date=dt.date(2026, 1, 20))
    mid = agent_loan(people, name="王五", principal=Decimal("50000.00"), start_date=dt.date(2026, 1, 10))
    pay_first(small)
    pay_first(big)
    set_business_date(dt.date(2026, 2, 16))
    client = client_for(people["agent"])

    def contracts(**query):
        return [row["contract_no"] for row in client.get("/api/v1/loans", query).json()["items"]]

    # when filtering and sorting, then the page's rules apply
    assert contracts(sort="principal") == [small.contract_no, mid.contract_no, big.contract_no]
    assert contracts(sort="-principal") == [big.contract_no, mid.contract_no, small.contract_no]
    assert contracts(overdue="true") == [mid.contract_no]
    assert contracts(product="CAR") == [small.contract_no]
    assert contracts(q="李四") == [big.contract_no]
    assert contracts(start_from="2026-01-16", start_to="2026-01-31") == [big.contract_no]
    page = client.get("/api/v1/loans", {"sort": "principal", "page": 2, "page_size": 2}).json()
    assert page["count"] == 3 and page["page"] == 2 and [r["contract_no"] for r in page["items"]] == [big.contract_no]
    assert client.get("/api/v1/loans", {"sort": "customer__id_number"}).status_code == 422
    row = client.get("/api/v1/loans", {"q": small.contract_no}).json()["items"][0]
    assert row["principal"] == "20000.00" and row["principal_outstanding"] == "18378.67"
    assert row["annual_rate"] == "0.060000" and row["next_due_date"] == "2026-03-15" and row["is_overdue"] is False
    assert row["officer"] == "agent1" and row["customer_name"] == "张三"


def test_loan_summary_and_lookup_by_contract(people):
    loan = agent_loan(people)
    loan.customer.id_number = "110105199006150015"
    loan.customer.save()
    pay_first(loan)
    set_business_date(dt.date(2026, 3, 20))
    client = client_for(people["agent"])
    doc = client.get(f"/api/v1/loans/{loan.pk}").json()
    assert doc["contract_no"] == loan.contract_no and doc["status"] == "active" and doc["schedule_version"] == 1
    assert doc["principal"] == "100000.00" and doc["principal_outstanding"] == "91893.36"
    assert doc["advance_balance"] == "0.00" and doc["maturity_date"] == "2027-01-15"
    assert doc["next_due"] == {"period": 2, "due_date": "2026-03-15", "amount": "8606.64"}
    assert doc["days_past_due"] == 5 and doc["is_overdue"] is True
    assert doc["customer"]["id_number"] == "110105********0015" and "199006" not in json.dumps(doc)
    assert client.get(f"/api/v1/loans/by-contract/{loan.contract_no}").json() == doc
    assert client.get("/api/v1/loans/by-contract/NO-SUCH").status_code == 404


def test_schedule_current_and_older_version(people):
    loan = agent_loan(people)
    pay_first(loan)
    client = client_for(people["agent"])
    current = client.get(f"/api/v1/loans/{loan.pk}/schedule").json()
    assert current["version"] == 1 and current["is_current"] is True and current["versions"] == [1]
    first = current["rows"][0]
    assert (first["period"], first["due_date"], first["principal_due"], first["interest_due"]) == (
        1, "2026-02-15", "8106.64", "500.00"
    )  # fmt: skip
    assert first["paid_total"] == "8606.64" and first["state"] == "paid" and current["rows"][1]["state"] == "pending"
    assert current["totals"]["principal_due"] == "100000.00" and current["totals"]["interest_due"] == "3279.73"
    assert current["totals"]["paid_total"] == "8606.64"
    # after a partial prepayment the old version stays readable and points at the prepayment
    set_business_date(dt.date(2026, 3, 1))
    prepayment = prepayment_post(loan_id=loan.pk, amount=Decimal("30000.00"), value_date=dt.date(2026, 3, 1),
                                 actor=None, keep="term")  # fmt: skip
    now = client.get(f"/api/v1/loans/{loan.pk}/schedule").json()
    assert now["version"] == 2 and now["versions"] == [2, 1] and now["totals"]["principal_due"] == "100000.00"
    old = client.get(f"/api/v1/loans/{loan.pk}/schedule", {"version": 1}).json()
    assert old["is_current"] is False and old["superseded_by_transaction"] == prepayment.pk
    assert old["rows"][1]["principal_due"] == "8147.17"
    missing = client.get(f"/api/v1/loans/{loan.pk}/schedule", {"version": 3})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_transactions_link_a_payment_and_its_reversal(people):
    loan = agent_loan(people)
    payment = pay_first(loan, actor=people["ops"])
    reversal = payment_reverse(transaction_id=payment.pk, reason="错账", actor=people["ops"])
    body = client_for(people["agent"]).get(f"/api/v1/loans/{loan.pk}/transactions").json()
    assert body["count"] == 3
    rows = {row["id"]: row for row in body["items"]}
    assert [row["kind"] for row in body["items"]] == ["reversal", "repayment", "disbursement"]
    paid, undone = rows[payment.pk], rows[reversal.pk]
    assert paid["status"] == "reversed" and paid["reversed_by_id"] == reversal.pk and paid["posted_by"] == "ops1"
    assert (paid["amount"], paid["principal"], paid["interest"], paid["advance"]) == (
        "8606.64", "8106.64", "500.00", "0.00"
    )  # fmt: skip
    assert undone["reverses_id"] == payment.pk and undone["principal"] == "-8106.64" and undone["reason"] == "错账"
    page = client_for(people["agent"]).get(f"/api/v1/loans/{loan.pk}/transactions", {"page_size": 1}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


def test_api_follows_accept_language_for_errors(people):
    loan = make_loan(make_customer(owner=people["agent"]))
    client = client_for(people["agent"])
    english = client.get(f"/api/v1/loans/{loan.pk}/schedule", {"version": 5}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["message"] == "Not found."
    payment_post(loan_id=loan.pk, amount=Decimal("100.00"), value_date=loan.start_date, actor=None)
    assert client.get(f"/api/v1/loans/{loan.pk}/transactions").json()["items"][0]["amount"] == "100.00"
