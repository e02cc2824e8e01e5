"""Portfolio rows without a database: header mapping, cell parsing with every error kind, the history replay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from loancrm.loans.portfolio.columns import field_for, guess_mapping, missing_fields, row_values
from loancrm.loans.portfolio.example import HEADERS, person_id
from loancrm.loans.portfolio.history import Repayment, replay
from loancrm.loans.portfolio.parsing import (
    ParsedRow,
    parse_amount,
    parse_date,
    parse_method,
    parse_rate,
    parse_row,
    term_in_months,
)
from loancrm.loans.schedule import build_schedule

TODAY = dt.date(2026, 12, 1)
WRONG_CHECK = person_id(1)[:-1] + ("0" if person_id(1)[-1] != "0" else "1")
D = dt.date


def good(**overrides: str) -> dict[str, str]:
    values = {
        "contract_no": "HT001", "customer_name": "张三", "id_number": person_id(1), "mobile": "13800000001",
        "product_code": "CONSUMER", "principal": "100000", "annual_rate": "6%", "term_months": "12",
        "method": "等额本息", "start_date": "2026-01-15", "repaid_total": "25819.92", "last_repaid_on": "",
    }  # fmt: skip
    values.update(overrides)
    return values


def errors_of(values: dict[str, str], business_date: dt.date = TODAY) -> list[tuple[str, str]]:
    result = parse_row(values, business_date=business_date, today=TODAY)
    assert not isinstance(result, ParsedRow), "expected errors"
    return [(error.field, error.code) for error in result]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("合同号", "contract_no"), ("Contract number", "contract_no"), ("客户姓名*", "customer_name"),
        ("身份证号码", "id_number"), ("手机号(必填)", "mobile"), ("产品代码", "product_code"),
        ("本金(元)", "principal"),
        ("Annual rate", "annual_rate"), ("年利率", "annual_rate"), ("期限(月)", "term_months"),
        ("期限（天）", "term_days"), ("Term (days)", "term_days"), ("期数", "term_months"), ("还款方式", "method"),
        ("放款日期", "start_date"), ("已还金额", "repaid_total"), ("Repaid to date", "repaid_total"),
        ("最后还款日期", "last_repaid_on"), ("客户经理", "officer"), ("备注", ""),
    ],
)  # fmt: skip
def test_chinese_and_english_headers_are_recognised(header, field):
    assert field_for(header) == field


def test_the_template_headers_map_every_field_and_a_second_claim_is_ignored():
    assert guess_mapping(HEADERS)[:3] == ["contract_no", "customer_name", "id_number"]
    assert "" not in guess_mapping(HEADERS)
    assert guess_mapping(["合同号", "Contract no", "本金"]) == ["contract_no", "", "principal"]


def test_missing_required_columns_are_named():
    assert missing_fields(["contract_no", "principal"]) == [
        "customer_name", "id_number", "product_code", "annual_rate", "method", "start_date", "term",
    ]  # fmt: skip
    assert missing_fields(guess_mapping(HEADERS)) == []
    assert row_values(["contract_no", "", "principal"], ["HT1", "x"]) == {"contract_no": "HT1", "principal": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100000", (Decimal("100000.00"), "")), ("100,000.50", (Decimal("100000.50"), "")),
        ("１２３．４", (Decimal("123.40"), "")), ("25819.920000000002", (Decimal("25819.92"), "")),
        ("12.345", (None, "amount_decimals")), ("abc", (None, "amount_invalid")), ("1e5", (None, "amount_invalid")),
        ("", (None, "amount_invalid")),
    ],
)  # fmt: skip
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6%", (Decimal("0.060000"), "")), ("0.06", (Decimal("0.060000"), "")), ("6.5％", (Decimal("0.065000"), "")),
        ("0.060000000000000005", (Decimal("0.060000"), "")), ("0", (Decimal("0.000000"), "")),
        ("6", (None, "rate_ambiguous")), ("150%", (None, "rate_range")), ("-1%", (None, "rate_range")),
        ("six", (None, "rate_invalid")),
    ],
)  # fmt: skip
def test_rates(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15", D(2026, 1, 15)), ("2026/1/5", D(2026, 1, 5)), ("2026.01.15", D(2026, 1, 15)),
        ("2026年1月15日", D(2026, 1, 15)), ("20260115", D(2026, 1, 15)), ("46037", D(2026, 1, 15)),
        ("2026-01-15 00:00:00", D(2026, 1, 15)), ("2026-02-30", None), ("15/01/2026", None), ("123", None),
    ],
)  # fmt: skip
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "method"),
    [("等额本息", "equal_installment"), ("等额本金", "equal_principal"), ("先息后本", "interest_only"),
     ("按月付息，到期还本", "interest_only"), ("到期还本付息", "bullet"), ("bullet", "bullet"),
     ("Equal instalment", "equal_installment"), ("equal_principal", "equal_principal"), ("随便还", "")],
)  # fmt: skip
def test_methods(text, method):
    assert parse_method(text) == method


def test_a_good_row_parses_to_typed_values_and_its_schedule():
    row = parse_row(good(contract_no=" HT001 ", customer_name="张  三"), business_date=TODAY, today=TODAY)
    assert isinstance(row, ParsedRow)
    assert (row.contract_no, row.customer_name, row.principal, row.annual_rate) == (
        "HT001", "张 三", Decimal("100000.00"), Decimal("0.060000"),
    )  # fmt: skip
    assert (row.term_months, row.term_days, row.method, row.start_date) == (
        12,
        None,
        "equal_installment",
        D(2026, 1, 15),
    )
    assert row.schedule.lines[0].payment == Decimal("8606.64") and len(row.schedule.lines) == 12


def test_a_bullet_loan_in_days_gets_its_maturity_in_days_and_months_reaching_it():
    row = parse_row(good(method="到期还本付息", term_months="", term_days="90天", repaid_total=""),
                    business_date=TODAY, today=TODAY)  # fmt: skip
    assert isinstance(row, ParsedRow)
    assert row.term_days == 90 and row.term_months == 3 and row.schedule.lines[0].due_date == D(2026, 4, 15)
    assert row.schedule.lines[0].interest == Decimal("1500.00")  # 100,000 × 6 % × 90 / 360
    assert term_in_months(D(2026, 1, 31), 28) == 1 and term_in_months(D(2026, 1, 31), 29) == 2


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"contract_no": ""}, [("contract_no", "required")]),
        ({"contract_no": "X" * 41}, [("contract_no", "too_long")]),
        ({"customer_name": " "}, [("customer_name", "required")]),
        ({"id_number": WRONG_CHECK}, [("id_number", "id_check_digit")]),
        ({"id_number": "110105800101123"}, [("id_number", "id_legacy_15")]),
        ({"id_number": ""}, [("id_number", "required")]),
        ({"mobile": "12345"}, [("mobile", "mobile_invalid")]),
        ({"product_code": ""}, [("product_code", "required")]),
        ({"principal": "0"}, [("principal", "amount_positive")]),
        ({"principal": "十万"}, [("principal", "amount_invalid")]),
        ({"annual_rate": "6"}, [("annual_rate", "rate_ambiguous")]),
        ({"term_months": "0"}, [("term_months", "term_months_range")]),
        ({"term_months": "12.5"}, [("term_months", "term_months_range")]),
        ({"term_months": ""}, [("term_months", "term_missing")]),
        ({"term_days": "90"}, [("term_days", "term_days_method")]),
        ({"method": "到期还本付息", "term_days": "90", "repaid_total": ""}, [("term_days", "term_both")]),
        ({"method": "气球贷"}, [("method", "method_unknown")]),
        ({"start_date": "2026-13-01"}, [("start_date", "date_invalid")]),
        ({"start_date": "2027-01-01"}, [("start_date", "date_future")]),
        ({"repaid_total": "-5"}, [("repaid_total", "amount_negative")]),
        ({"repaid_total": "103279.74"}, [("repaid_total", "repaid_exceeds")]),
        ({"last_repaid_on": "2025-12-31"}, [("last_repaid_on", "date_before_start")]),
        ({"last_repaid_on": "2026-12-02"}, [("last_repaid_on", "date_future")]),
        ({"repaid_total": "", "last_repaid_on": "2026-03-01"}, [("last_repaid_on", "date_without_amount")]),
    ],
)  # fmt: skip
def test_each_kind_of_cell_error_names_its_field(overrides, expected):
    assert errors_of(good(**overrides)) == expected


def test_every_failing_cell_of_a_row_is_reported_not_only_the_first():
    assert errors_of(good(principal="x", annual_rate="x", method="x", start_date="x")) == [
        ("principal", "amount_invalid"), ("annual_rate", "rate_invalid"), ("method", "method_unknown"),
        ("start_date", "date_invalid"),
    ]  # fmt: skip


def test_the_whole_schedule_may_be_repaid_but_not_more():
    total = "103279.73"  # 11 × 8,606.64 + the last instalment 8,606.69
    assert isinstance(parse_row(good(repaid_total=total), business_date=TODAY, today=TODAY), ParsedRow)
    assert errors_of(good(repaid_total="103279.74")) == [("repaid_total", "repaid_exceeds")]


REFERENCE = build_schedule(principal=Decimal("100000.00"), annual_rate=Decimal("0.06"), term_months=12,
                           method="equal_installment", start_date=D(2026, 1, 15)).lines  # fmt: skip
P = Decimal("8606.64")


@pytest.mark.parametrize(
    ("repaid", "business_date", "last", "expected"),
    [
        # three instalments in full, each on its due date
        ("25819.92", D(2026, 4, 15), None, [(D(2026, 2, 15), P), (D(2026, 3, 15), P), (D(2026, 4, 15), P)]),
        # a remainder pays the next instalment on its due date …
        ("10000.00", D(2026, 6, 1), None, [(D(2026, 2, 15), P), (D(2026, 3, 15), Decimal("1393.36"))]),
        # … or on the last repayment date when the file gives one
        ("10000.00", D(2026, 6, 1), D(2026, 4, 2), [(D(2026, 2, 15), P), (D(2026, 4, 2), Decimal("1393.36"))]),
        # … never after the business date
        ("10000.00", D(2026, 3, 1), None, [(D(2026, 2, 15), P), (D(2026, 3, 1), Decimal("1393.36"))]),
        # instalments paid ahead of time are paid on the last repayment date (or the business date)
        ("17213.28", D(2026, 6, 1), D(2026, 2, 20), [(D(2026, 2, 15), P), (D(2026, 2, 20), P)]),
        ("17213.28", D(2026, 2, 20), None, [(D(2026, 2, 15), P), (D(2026, 2, 20), P)]),
        ("0", D(2026, 6, 1), None, []),
    ],
)  # fmt: skip
def test_history_replay(repaid, business_date, last, expected):
    payments = replay(REFERENCE, Decimal(repaid), start_date=D(2026, 1, 15), business_date=business_date,
                      last_repaid_on=last)  # fmt: skip
    assert payments == [Repayment(day, amount) for day, amount in expected]
    assert sum((p.amount for p in payments), Decimal(0)) == Decimal(repaid)


def test_an_interest_free_period_owes_nothing_and_gets_no_repayment():
    lines = build_schedule(principal=Decimal("1200.00"), annual_rate=Decimal("0"), term_months=3,
                           method="interest_only", start_date=D(2026, 1, 1)).lines  # fmt: skip
    assert replay(lines, Decimal("100.00"), start_date=D(2026, 1, 1), business_date=D(2026, 6, 1)) == [
        Repayment(D(2026, 4, 1), Decimal("100.00"))
    ]
