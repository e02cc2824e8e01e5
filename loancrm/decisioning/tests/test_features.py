"""features.build: the rules context and the scorecard row from a snapshot, every derivation and default."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from loancrm.decisioning import features
from loancrm.loans.schedule import ScheduleError, build_schedule
from loancrm.rules.context import context_from

D = Decimal

BUREAU = {"accounts": 5, "open_accounts": 2, "overdue_accounts": 1, "max_overdue_months": 2, "inquiries_1m": 1,
          "inquiries_3m": 2, "inquiries_6m": 4, "outstanding_debt": "35000.00"}  # fmt: skip
MULTI = {"count_3m": 1, "count_6m": 3, "institutions": 4}
COURT = {"enforcement_count": 0, "dishonest_debtor": False, "cases": []}
BLACKLIST = {"internal_hit": False, "external_hit": False, "reason": ""}


def snapshot(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "decision_date": "2026-12-01",
        "application": {"amount": "50000.00", "term_months": 12, "method": "equal_installment",
                        "annual_rate": "0.144000", "monthly_income": "12000.00", "monthly_debt": "1500.00",
                        "employment_years": "4.5", "housing": "rented", "region": "440305"},
        "customer": {"birth_date": "1990-06-15", "education": "bachelor", "monthly_income": "9000.00",
                     "years_employed": 3},
        "product": {"code": "CASH"},
        "external": {"bureau": BUREAU, "multi_lending": MULTI, "court": COURT, "blacklist": BLACKLIST},
    }  # fmt: skip
    for path, value in changes.items():
        section, _sep, name = path.partition("__")
        if name:
            base[section] = {**base[section], name: value}
        else:
            base[section] = value
    return base


def test_a_complete_snapshot_gives_a_valid_context_and_the_scorecard_row():
    built = features.build(snapshot())

    assert context_from(built.context) == built.context  # every one of the 17 fields, each with its type
    assert built.problems == ()
    # 50,000 at 14.4 % over 12 months: level payment 4,498.77; (1,500 + 4,497.01) / 12,000 = 0.49990 → 0.4999
    assert built.derived["first_instalment"] == "4498.77"
    assert built.derived["debt_to_income"] == "0.4999"
    assert built.context | {} == {
        "age": 36, "region": "440305", "monthly_income": 12000.0, "debt_to_income": 0.4999, "employment_years": 4.5,
        "inquiries_1m": 1, "inquiries_3m": 2, "inquiries_6m": 4, "overdue_accounts": 1, "max_overdue_months": 2,
        "outstanding_debt": 35000.0, "multi_lending_count_3m": 1, "multi_lending_count_6m": 3, "court_records": 0,
        "blacklist_hit": False, "product": "CASH", "amount": 50000.0,
    }  # fmt: skip
    assert built.row == {
        "age": 36, "monthly_income": 12000.0, "debt_to_income": 0.4999, "employment_years": 4.5, "region": "华南",
        "education": "本科", "housing": "租房", "inquiries_6m": 4, "multi_lending_count": 3, "overdue_count": 1,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        ("1990-06-15", "2026-06-14", 35),
        ("1990-06-15", "2026-06-15", 36),
        ("2000-02-29", "2026-02-28", 25),
        ("2000-02-29", "2026-03-01", 26),
    ],
)
def test_age_is_in_full_years_on_the_decision_date(birth, day, age):
    assert features.age_on(dt.date.fromisoformat(birth), dt.date.fromisoformat(day)) == age


@pytest.mark.parametrize(
    ("method", "term", "instalment"),
    [
        ("equal_installment", 12, "4498.77"),
        ("equal_principal", 12, "4766.67"),  # 4,166.67 principal + 600.00 interest
        ("interest_only", 12, "600.00"),
        ("bullet", 12, "4775.00"),  # (50,000 + 50,000 × 0.144 × 365 / 360) / 12 = 57,300 / 12
    ],
)
def test_the_first_instalment_follows_the_schedule_maths(method, term, instalment):
    value = features.first_instalment(D("50000.00"), D("0.144"), term, method, dt.date(2026, 12, 1))
    assert value == D(instalment)


@pytest.mark.parametrize("method", ["equal_installment", "equal_principal", "interest_only", "bullet"])
@pytest.mark.parametrize(
    ("amount", "rate", "term"),
    [("50000.00", "0.144", 12), ("1000.00", "0", 3), ("999999.99", "0.2399", 360), ("12345.67", "0.06", 1),
     ("100.00", "1", 2), ("300000.00", "0.0365", 120)],
)  # fmt: skip
def test_the_first_instalment_equals_line_one_of_the_schedule(method, amount, rate, term):
    start = dt.date(2026, 1, 31)
    schedule = build_schedule(principal=D(amount), annual_rate=D(rate), term_months=term, method=method,
                              start_date=start)  # fmt: skip
    expected = schedule.lines[0].payment
    if method == "bullet":
        expected = (schedule.total_payment / term).quantize(D("0.01"), ROUND_HALF_UP)
    assert features.first_instalment(D(amount), D(rate), term, method, start) == expected


@pytest.mark.parametrize(
    ("amount", "rate", "term", "method"),
    [("0", "0.1", 12, "equal_installment"), ("100.001", "0.1", 12, "equal_principal"),
     ("100.00", "1.5", 12, "interest_only"), ("100.00", "0.1", 0, "equal_installment"),
     ("100.00", "0.1", 601, "equal_principal"), ("100.00", "0.1", 12, "balloon")],
)  # fmt: skip
def test_inputs_the_schedule_refuses_are_refused(amount, rate, term, method):
    with pytest.raises(ScheduleError):
        features.first_instalment(D(amount), D(rate), term, method, dt.date(2026, 1, 31))


@pytest.mark.parametrize(
    ("code", "macro"),
    [("110101", "华北"), ("230102", "东北"), ("330106", "华东"), ("420102", "华中"), ("440305", "华南"),
     ("510104", "西南"), ("650102", "西北"), ("990000", None), ("4403", None)],
)  # fmt: skip
def test_region_codes_map_to_macro_regions_by_province(code, macro):
    assert features.macro_region(code) == macro


@pytest.mark.parametrize(
    ("education", "category"),
    [("primary", "初中及以下"), ("junior", "初中及以下"), ("senior", "高中"), ("college", "大专"),
     ("bachelor", "本科"), ("master", "硕士及以上"), ("doctor", "硕士及以上"), ("", None)],
)  # fmt: skip
def test_education_choices_map_to_the_scorecard_categories(education, category):
    assert features.build(snapshot(customer__education=education)).row["education"] == category


@pytest.mark.parametrize(
    ("housing", "category"),
    [("owned", "自有住房"), ("mortgaged", "按揭"), ("rented", "租房"), ("parents", "与父母同住"), ("", None)],
)
def test_housing_choices_map_to_the_scorecard_categories(housing, category):
    assert features.build(snapshot(application__housing=housing)).row["housing"] == category


@pytest.mark.parametrize(
    ("changes", "problem", "context", "row"),
    [
        ({"external": {}}, "BUREAU_DATA_MISSING",
         {"inquiries_6m": 0, "overdue_accounts": 0, "outstanding_debt": 0.0, "multi_lending_count_6m": 0,
          "court_records": 0, "blacklist_hit": False},
         {"inquiries_6m": None, "overdue_count": None, "multi_lending_count": None}),
        ({"external": {"bureau": BUREAU}}, "MULTI_LENDING_DATA_MISSING", {"multi_lending_count_3m": 0},
         {"multi_lending_count": None}),
        ({"customer__birth_date": None}, "MISSING_BIRTH_DATE", {"age": 0}, {"age": None}),
        ({"application__monthly_income": None, "customer__monthly_income": None}, "MISSING_INCOME",
         {"monthly_income": 0.0, "debt_to_income": 9.9999}, {"monthly_income": None, "debt_to_income": None}),
        ({"application__region": ""}, "MISSING_REGION", {"region": "000000"}, {"region": None}),
        ({"application__amount": "0"}, "TERMS_INVALID", {"amount": 0.0}, {}),
    ],
)  # fmt: skip
def test_missing_data_gets_the_documented_default_and_a_problem_code(changes, problem, context, row):
    built = features.build(snapshot(**changes))

    assert problem in built.problems
    assert context_from(built.context) == built.context
    assert {name: built.context[name] for name in context} == context
    assert {name: built.row[name] for name in row} == row


def test_declared_values_win_and_the_profile_fills_gaps():
    built = features.build(snapshot(application__monthly_income=None, application__employment_years=None))

    assert built.context["monthly_income"] == 9000.0  # the customer profile's income
    assert built.context["employment_years"] == 3.0
    assert built.derived["monthly_income"] == "9000.00"


@pytest.mark.parametrize(
    ("court", "records"),
    [
        ({"enforcement_count": 2, "dishonest_debtor": False}, 2),
        ({"enforcement_count": 0, "dishonest_debtor": True}, 1),
        ({"enforcement_count": 0, "dishonest_debtor": False}, 0),
    ],
)
def test_court_records_count_enforcements_or_a_dishonest_debtor_listing(court, records):
    external = {"bureau": BUREAU, "multi_lending": MULTI, "court": court, "blacklist": BLACKLIST}
    assert features.build(snapshot(external=external)).context["court_records"] == records


@pytest.mark.parametrize(
    ("hit", "expected"), [({"internal_hit": True}, True), ({"external_hit": True}, True), ({}, False)]
)
def test_a_blacklist_hit_on_either_list_counts(hit, expected):
    external = {"bureau": BUREAU, "multi_lending": MULTI, "court": COURT, "blacklist": BLACKLIST | hit}
    assert features.build(snapshot(external=external)).context["blacklist_hit"] is expected
