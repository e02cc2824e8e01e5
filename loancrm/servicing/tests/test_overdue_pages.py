"""The overdue list and the bucket summary: selector filters and sorts with exact figures after an end of day, data
scope, the audited export, the JSON API, both languages, the month-end trend."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings

from loancrm.core.models import AuditEvent
from loancrm.loans.models import Installment
from loancrm.loans.selectors import loans_visible_to
from loancrm.loans.services import payment_post
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date
from loancrm.loans.tests.pages_support import client_for, make_people, pay_first
from loancrm.servicing import selectors as reads
from loancrm.servicing.models import LoanSnapshot
from loancrm.servicing.services import eod_run

pytestmark = pytest.mark.django_db
RUN_DATE = dt.date(2026, 3, 19)  # the end of day of 19 March leaves the figures of 20 March


@pytest.fixture
def book(org):
    """Reference loans (100,000 / 12 / 6 %, from 15 January) and one end of day on 19 March:
    ``late`` (agent, nothing paid: 33 DPD, M2), ``car`` (agent, CAR, period 1 paid: 5 DPD, M1), ``sh`` (a Shanghai
    lead's customer, nothing paid: 33 DPD, M2), ``current`` (agent, periods 1 and 2 paid: current)."""
    people = make_people(org)
    agent = people["agent"]
    loans = {
        "late": make_loan(make_customer(owner=agent, name="张三"), contract_no="HT-LATE"),
        "car": make_loan(make_customer(owner=agent, name="李四"), contract_no="HT-CAR", product_code="CAR"),
        "sh": make_loan(make_customer(owner=people["lead_sh"], name="王五"), contract_no="HT-SH"),
        "current": make_loan(make_customer(owner=agent, name="赵六"), contract_no="HT-CURRENT"),
    }
    pay_first(loans["car"])
    pay_first(loans["current"])
    set_business_date(dt.date(2026, 3, 15))
    second = Installment.objects.get(loan=loans["current"], version=1, period=2)
    payment_post(loan_id=loans["current"].pk, amount=second.due_total, value_date=dt.date(2026, 3, 15), actor=None)
    set_business_date(RUN_DATE)
    eod_run()
    return people, {key: loan.__class__.objects.get(pk=loan.pk) for key, loan in loans.items()}


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def contracts(qs) -> list[str]:
    return [loan.contract_no for loan in qs]


def listed(people, **filters):
    qs = reads.overdue_loans(loans_visible_to(people["ops"]), business_date=dt.date(2026, 3, 20), **filters)
    return reads.sorted_overdue(qs, "contract")


def test_overdue_rows_carry_the_end_of_day_figures_and_what_is_owed_past_due(book, org):
    people, _loans = book
    rows = {loan.contract_no: loan for loan in listed(people)}
    assert sorted(rows) == ["HT-CAR", "HT-LATE", "HT-SH"]
    late = rows["HT-LATE"]
    assert (late.dpd, late.bucket, late.risk_class, late.status) == (33, "M2", "special_mention", "overdue")
    # periods 1 and 2: principal 8,106.64 + 8,147.17, interest 500.00 + 459.47; penalty at 6 % × 1.5 / 360:
    # 33 days on period 1 (66.88 + 4.13 compound), 5 days on period 2 (10.18 + 0.57)
    assert late.overdue_principal == Decimal("16253.81")
    assert late.overdue_interest == Decimal("959.47")
    assert late.overdue_penalty == Decimal("81.76")
    assert late.overdue_amount == Decimal("17295.04")
    assert late.principal_outstanding == Decimal("100000.00")
    assert late.oldest_due_date == dt.date(2026, 2, 15)
    car = rows["HT-CAR"]
    assert (car.dpd, car.bucket, car.oldest_due_date) == (5, "M1", dt.date(2026, 3, 15))
    assert (car.overdue_principal, car.overdue_interest, car.overdue_penalty) == (
        Decimal("8147.17"), Decimal("459.47"), Decimal("10.75"),
    )  # fmt: skip
    assert car.principal_outstanding == Decimal("91893.36")


def test_overdue_filters_and_sorts(book, org):
    people, _loans = book
    assert contracts(listed(people, bucket="M1")) == ["HT-CAR"]
    assert contracts(listed(people, bucket="M2")) == ["HT-LATE", "HT-SH"]
    assert contracts(listed(people, product="CAR")) == ["HT-CAR"]
    assert contracts(listed(people, branch=org.sh.pk)) == ["HT-SH"]
    assert contracts(listed(people, branch=org.bj.pk)) == ["HT-CAR", "HT-LATE"]
    assert contracts(listed(people, branch=org.bj_team2.pk)) == []
    assert contracts(listed(people, dpd_min=6)) == ["HT-LATE", "HT-SH"]
    assert contracts(listed(people, dpd_min=5, dpd_max=5)) == ["HT-CAR"]
    assert contracts(listed(people, amount_min=Decimal("8617.39"))) == ["HT-CAR", "HT-LATE", "HT-SH"]
    assert contracts(listed(people, amount_max=Decimal("8617.39"))) == ["HT-CAR"]
    assert contracts(listed(people, amount_max=Decimal("8617.38"))) == []
    base = reads.overdue_loans(loans_visible_to(people["ops"]), business_date=dt.date(2026, 3, 20))
    assert contracts(reads.sorted_overdue(base, "dpd"))[0] == "HT-CAR"
    assert contracts(reads.sorted_overdue(base, "-overdue"))[-1] == "HT-CAR"
    assert contracts(reads.sorted_overdue(base, "outstanding"))[0] == "HT-CAR"
    assert contracts(reads.sorted_overdue(base, "-contract")) == ["HT-SH", "HT-LATE", "HT-CAR"]
    totals = reads.overdue_totals(base)
    assert totals == reads.OverdueTotals(3, Decimal("17295.04") * 2 + Decimal("8617.39"), Decimal("291893.36"))


def test_the_page_lists_only_the_viewers_scope(book):
    people, loans = book
    response = client_for(people["agent"]).get("/servicing/overdue/?sort=contract")
    assert response.status_code == 200
    assert [loan.contract_no for loan, _label in response.context["rows"]] == ["HT-CAR", "HT-LATE"]
    html = response.content.decode()
    assert f'href="/loans/{loans["late"].pk}/"' in html and "HT-SH" not in html
    assert "export" not in html.split('data-testid="overdue-tiles"')[0].split("</h2>")[-1]  # no export: agent
    sh = client_for(people["lead_sh"]).get("/servicing/overdue/")
    assert [loan.contract_no for loan, _label in sh.context["rows"]] == ["HT-SH"]
    assert client_for(people["qa"]).get("/servicing/overdue/").status_code == 403


def test_the_page_in_chinese_and_english(book):
    people, _loans = book
    zh = client_for(people["ops"]).get("/servicing/overdue/?bucket=M2").content.decode()
    assert "逾期贷款" in zh and "关注" in zh and "17,295.04" in zh and "HT-CAR" not in zh
    en = english(people["ops"]).get("/servicing/overdue/").content.decode()
    assert "Overdue loans" in en and "Special mention" in en and "Oldest due date" in en


def test_the_export_is_the_filtered_list_and_is_audited(book):
    people, _loans = book
    response = english(people["ops"]).get("/servicing/overdue/export/?format=csv&bucket=M2&sort=contract")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Contract number", "Customer", "Customer number"]
    assert [row[0] for row in rows[1:]] == ["HT-LATE", "HT-SH"]
    assert rows[1][6:] == ["33", "M2", "Special mention", "16253.81", "959.47", "81.76", "17295.04", "100000.00",
                           "2026-02-15"]  # fmt: skip
    event = AuditEvent.objects.get(action="data.exported")
    assert event.data["export"] == "overdue-loans" and event.data["rows"] == 2
    assert event.data["filters"] == {"bucket": "M2"}
    xlsx = client_for(people["ops"]).get("/servicing/overdue/export/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    # a loan viewer without the export permission is refused, and nothing is audited
    assert client_for(people["agent"]).get("/servicing/overdue/export/?format=csv").status_code == 403
    assert AuditEvent.objects.filter(action="data.exported").count() == 2


def test_the_api_lists_the_same_rows_with_the_same_filters(book):
    people, _loans = book
    body = client_for(people["agent"]).get("/api/v1/servicing/overdue?sort=-dpd&page_size=1").json()
    assert body["count"] == 2 and body["page_size"] == 1
    first = body["items"][0]
    assert first["contract_no"] == "HT-LATE" and first["dpd"] == 33 and first["bucket"] == "M2"
    assert first["overdue_principal"] == "16253.81" and first["overdue_amount"] == "17295.04"
    assert first["oldest_due_date"] == "2026-02-15" and first["risk_class"] == "special_mention"
    ops = client_for(people["ops"]).get("/api/v1/servicing/overdue?amount_max=9000&dpd_max=10").json()
    assert [item["contract_no"] for item in ops["items"]] == ["HT-CAR"]
    assert client_for(people["ops"]).get("/api/v1/servicing/overdue?sort=customer").status_code == 422


def _figures(rows) -> list[tuple[str, int, Decimal]]:
    return [(row.code, row.loans, row.balance) for row in rows]


def test_bucket_summary_counts_and_balances(book, org):
    people, _loans = book
    summary = reads.bucket_summary(loans_visible_to(people["ops"]))
    zero = Decimal("0.00")
    assert _figures(summary.buckets) == [
        ("M0", 1, Decimal("83746.19")), ("M1", 1, Decimal("91893.36")), ("M2", 2, Decimal("200000.00")),
        ("M3", 0, zero), ("M4", 0, zero), ("M5", 0, zero), ("M6", 0, zero), ("M7+", 0, zero),
    ]  # fmt: skip
    assert _figures(summary.classes) == [
        ("normal", 1, Decimal("83746.19")), ("special_mention", 3, Decimal("291893.36")),
        ("substandard", 0, zero), ("doubtful", 0, zero), ("loss", 0, zero),
    ]  # fmt: skip
    assert (summary.loans, summary.balance) == (4, Decimal("375639.55"))
    assert summary.buckets[2].loan_share == Decimal("0.5000")
    assert summary.buckets[2].balance_share == Decimal("0.5324")
    assert summary.classes[1].label == "关注"
    agent = reads.bucket_summary(reads.filter_portfolio(loans_visible_to(people["agent"]), product="CONSUMER"))
    assert _figures(agent.buckets)[:3] == [("M0", 1, Decimal("83746.19")), ("M1", 0, zero),
                                           ("M2", 1, Decimal("100000.00"))]  # fmt: skip
    sh = reads.bucket_summary(reads.filter_portfolio(loans_visible_to(people["ops"]), branch=org.sh.pk))
    assert (sh.loans, sh.balance) == (1, Decimal("100000.00"))


def test_bucket_summary_page_and_api(book):
    people, _loans = book
    response = client_for(people["ops"]).get("/servicing/buckets/?product=CONSUMER")
    assert response.status_code == 200
    chart = response.context["bucket_chart"]
    assert chart["xAxis"]["data"][:3] == ["M0", "M1", "M2"]
    assert chart["series"][0]["data"][:3] == [1, 0, 2] and chart["series"][0]["yAxisIndex"] == 0
    assert chart["series"][1]["data"][:3] == ["83746.19", "0.00", "200000.00"]
    assert chart["series"][1]["yAxisIndex"] == 1
    html = response.content.decode()
    assert 'data-testid="bucket-chart"' in html and "逾期分档汇总" in html and 'data-testid="trend-empty"' in html
    ranges = re.findall(r'<td class="text-secondary text-nowrap">([^<]+)</td>', html)
    assert ranges == ["0", "1–30", "31–60", "61–90", "91–120", "121–150", "151–180", "≥ 181",
                      "0", "1–90", "91–270", "271–360", "≥ 361"]  # fmt: skip
    en = english(people["ops"]).get("/servicing/buckets/").content.decode()
    assert "Bucket summary" in en and "Special mention" in en
    body = client_for(people["agent"]).get("/api/v1/servicing/buckets").json()
    assert body["loans"] == 3 and body["balance"] == "275639.55" and body["business_date"] == "2026-03-20"
    assert [(row["code"], row["loans"], row["balance"]) for row in body["buckets"][:3]] == [
        ("M0", 1, "83746.19"), ("M1", 1, "91893.36"), ("M2", 1, "100000.00"),
    ]  # fmt: skip
    assert client_for(people["qa"]).get("/servicing/buckets/").status_code == 403


def test_the_trend_sums_month_end_snapshots_by_bucket(book):
    people, loans = book

    def snap(loan, month, bucket, principal):
        LoanSnapshot.objects.create(loan=loan, month=month, status="active", principal=Decimal(principal),
                                    interest=0, penalty=0, fee=0, advance=0, dpd=0, bucket=bucket,
                                    risk_class="normal")  # fmt: skip

    jan, feb = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    snap(loans["late"], jan, "M0", "100000.00")
    snap(loans["sh"], jan, "M0", "100000.00")
    snap(loans["late"], feb, "M1", "100000.00")
    snap(loans["sh"], feb, "M1", "100000.00")
    snap(loans["car"], feb, "M0", "91893.36")
    agent = reads.snapshot_trend(loans_visible_to(people["agent"]))
    assert agent.months == [jan, feb]
    assert agent.balances["M0"] == [Decimal("100000.00"), Decimal("91893.36")]
    assert agent.balances["M1"] == [Decimal("0.00"), Decimal("100000.00")]
    response = client_for(people["ops"]).get("/servicing/buckets/")
    options = json.loads(response.content.decode().split('id="trend-options" type="application/json">')[1]
                         .split("</script>")[0])  # fmt: skip
    assert options["xAxis"]["data"] == ["2026-01", "2026-02"]
    assert options["series"][0] == {"name": "M0", "type": "line", "data": ["200000.00", "91893.36"]}
