"""Repayment schedule maths: exact reference schedules, prepayment, due dates, properties, refusals (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loancrm.core.money import quantize_money
from loancrm.loans.schedule import (
    MAX_TERM_MONTHS,
    Keep,
    Method,
    Schedule,
    ScheduleError,
    add_months,
    build_schedule,
    day_interest,
    due_dates,
    reschedule,
)

D = Decimal
START = date(2026, 1, 15)


def schedule(principal: str, rate: str, months: int, method: Method, **extra: object) -> Schedule:
    return build_schedule(
        principal=D(principal), annual_rate=D(rate), term_months=months, method=method, start_date=START, **extra
    )


def payments(result: Schedule) -> list[Decimal]:
    return [line.payment for line in result.lines]


REFERENCE = [
    # principal, rate, months, method, payments, total interest
    ("100000.00", "0.06", 12, Method.EQUAL_INSTALLMENT, [D("8606.64")] * 11 + [D("8606.69")], D("3279.73")),
    ("50000.00", "0.072", 6, Method.INTEREST_ONLY, [D("300.00")] * 5 + [D("50300.00")], D("1800.00")),
    ("1200.00", "0", 12, Method.EQUAL_INSTALLMENT, [D("100.00")] * 12, D("0.00")),
    ("1000.00", "0", 3, Method.EQUAL_INSTALLMENT, [D("333.33"), D("333.33"), D("333.34")], D("0.00")),
    ("1200.00", "0", 12, Method.EQUAL_PRINCIPAL, [D("100.00")] * 12, D("0.00")),
    ("1200.00", "0", 4, Method.INTEREST_ONLY, [D("0.00")] * 3 + [D("1200.00")], D("0.00")),
    ("1200.00", "0", 4, Method.BULLET, [D("1200.00")], D("0.00")),
]


@pytest.mark.parametrize(("principal", "rate", "months", "method", "expected", "interest"), REFERENCE)
def test_reference_schedules(principal, rate, months, method, expected, interest):
    result = schedule(principal, rate, months, method)
    assert payments(result) == expected
    assert result.total_interest == interest
    assert result.total_principal == D(principal)
    assert result.total_payment == D(principal) + interest


def test_equal_instalment_first_period_and_totals():
    result = schedule("100000.00", "0.06", 12, Method.EQUAL_INSTALLMENT)
    first = result.lines[0]
    assert (first.period, first.due_date, first.interest, first.principal) == (1, date(2026, 2, 15), D("500.00"),
                                                                              D("8106.64"))  # fmt: skip
    assert first.balance == D("91893.36")
    assert result.lines[2].balance == D("75558.28")
    assert result.total_payment == D("103279.73")
    assert result.lines[-1].balance == D("0.00")


def test_equal_principal_reference():
    result = schedule("100000.00", "0.06", 12, Method.EQUAL_PRINCIPAL)
    assert [line.principal for line in result.lines] == [D("8333.33")] * 11 + [D("8333.37")]
    assert result.lines[0].payment == D("8833.33")
    assert result.lines[-1].payment == D("8375.04")
    assert result.total_interest == D("3250.00")


def test_thirty_year_mortgage_payment():
    result = schedule("1000000.00", "0.049", 360, Method.EQUAL_INSTALLMENT)
    assert len(result.lines) == 360
    assert set(payments(result)[:-1]) == {D("5307.27")}
    assert result.lines[-1].balance == D("0.00")
    assert result.total_principal == D("1000000.00")


def test_bullet_in_days_charges_actual_days_over_360():
    result = schedule("50000.00", "0.072", 0, Method.BULLET, term_days=90)
    (line,) = result.lines
    assert (line.period, line.due_date, line.principal, line.interest, line.balance) == (
        1, date(2026, 4, 15), D("50000.00"), D("900.00"), D("0.00"),
    )  # fmt: skip


def test_bullet_in_months_runs_to_the_last_due_date_on_the_day_count():
    # 2026-01-15 → 2026-04-15 is 90 days; a 365-day basis gives 50,000 × 7.2 % × 90 / 365 = 887.67
    assert schedule("50000.00", "0.072", 3, Method.BULLET).lines[0].interest == D("900.00")
    assert schedule("50000.00", "0.072", 3, Method.BULLET, day_count=365).lines[0].interest == D("887.67")


@pytest.mark.parametrize(
    ("balance", "rate", "days", "day_count", "expected"),
    [
        (D("50000.00"), D("0.072"), 90, 360, D("900.00")),
        (D("10000.00"), D("0.0365"), 1, 365, D("1.00")),
        (D("100.00"), D("0.05"), 1, 360, D("0.01")),  # 0.01388… to the fen
        (D("900.00"), D("0.02"), 1, 360, D("0.05")),  # exactly 0.005: half up
        (D("100.00"), D("0.06"), 0, 360, D("0.00")),
        (D("100.00"), D("0.06"), -3, 360, D("0.00")),
    ],
)
def test_day_interest(balance, rate, days, day_count, expected):
    assert day_interest(balance, rate, days, day_count) == expected


# --- prepayment ----------------------------------------------------------------------------------------------------

ORIGINAL = schedule("100000.00", "0.06", 12, Method.EQUAL_INSTALLMENT)
AHEAD = [line.due_date for line in ORIGINAL.lines[3:]]
AFTER_PREPAYMENT = ORIGINAL.lines[2].balance - D("30000.00")


def test_prepayment_keeping_the_term_lowers_the_payment():
    result = reschedule(balance=AFTER_PREPAYMENT, annual_rate=D("0.06"), method=Method.EQUAL_INSTALLMENT,
                        remaining_due_dates=AHEAD, first_period=4, keep=Keep.TERM)  # fmt: skip
    assert [line.period for line in result.lines] == list(range(4, 13))
    assert [line.due_date for line in result.lines] == AHEAD
    assert set(payments(result)[:-1]) == {D("5189.42")}
    assert result.lines[-1].payment == D("5189.44")
    assert result.total_principal == D("45558.28")  # 75,558.28 owed after period 3 less the 30,000.00 prepaid


def test_prepayment_keeping_the_payment_shortens_the_term():
    result = reschedule(balance=AFTER_PREPAYMENT, annual_rate=D("0.06"), method=Method.EQUAL_INSTALLMENT,
                        remaining_due_dates=AHEAD, first_period=4, keep=Keep.PAYMENT,
                        payment=D("8606.64"))  # fmt: skip
    assert [line.period for line in result.lines] == [4, 5, 6, 7, 8, 9]
    assert payments(result) == [D("8606.64")] * 5 + [D("3259.20")]
    assert result.total_principal == AFTER_PREPAYMENT


def test_prepayment_inside_a_period_scales_its_interest():
    result = reschedule(balance=D("45558.28"), annual_rate=D("0.06"), method=Method.EQUAL_INSTALLMENT,
                        remaining_due_dates=AHEAD, first_period=4, first_fraction=D("0.5"))  # fmt: skip
    assert result.lines[0].interest == D("113.90")  # 45,558.28 × 0.5 % × ½ = 113.8957
    assert (result.lines[0].principal, result.lines[1].interest) == (D("5075.52"), D("202.41"))  # full period


def test_kept_payment_counts_the_shortened_first_period():
    # 8,600.00 + 0.43 interest (1 % of the period) fits in one payment: no empty second instalment
    result = reschedule(balance=D("8600.00"), annual_rate=D("0.06"), method=Method.EQUAL_INSTALLMENT,
                        remaining_due_dates=AHEAD, first_period=4, keep=Keep.PAYMENT, payment=D("8606.64"),
                        first_fraction=D("0.01"))  # fmt: skip
    assert payments(result) == [D("8600.43")]


def test_equal_principal_prepayment_keeping_the_principal_per_period():
    result = reschedule(balance=D("20000.00"), annual_rate=D("0.06"), method=Method.EQUAL_PRINCIPAL,
                        remaining_due_dates=AHEAD, first_period=4, keep=Keep.PAYMENT,
                        principal_per_period=D("8333.33"))  # fmt: skip
    assert [line.principal for line in result.lines] == [D("8333.33"), D("8333.33"), D("3333.34")]
    assert [line.interest for line in result.lines] == [D("100.00"), D("58.33"), D("16.67")]


def test_bullet_prepayment_keeps_maturity_and_charges_from_the_period_start():
    result = reschedule(balance=D("20000.00"), annual_rate=D("0.072"), method=Method.BULLET,
                        remaining_due_dates=[date(2026, 4, 15)], first_period=1,
                        period_start=date(2026, 2, 14))  # fmt: skip
    assert [(line.period, line.due_date, line.principal, line.interest, line.balance) for line in result.lines] == [
        (1, date(2026, 4, 15), D("20000.00"), D("240.00"), D("0.00")),  # 60 days × 20,000 × 7.2 % / 360
    ]


def test_interest_only_prepayment_keeps_the_term():
    result = reschedule(balance=D("30000.00"), annual_rate=D("0.072"), method=Method.INTEREST_ONLY,
                        remaining_due_dates=AHEAD[:3], first_period=4)  # fmt: skip
    assert payments(result) == [D("180.00"), D("180.00"), D("30180.00")]


@pytest.mark.parametrize("method", list(Method))
def test_amounts_have_two_places_whatever_the_principal_exponent(method):
    result = build_schedule(principal=D("100000"), annual_rate=D("0.06"), term_months=1, method=method,
                            start_date=START)  # fmt: skip
    assert [str(line.principal) for line in result.lines] == ["100000.00"]
    assert str(result.total_principal) == "100000.00"


# --- due dates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 1, 15), 600, date(2076, 1, 15)),
    ],
)
def test_add_months_clips_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_due_dates_are_anchored_on_the_start_date_not_chained():
    assert due_dates(date(2026, 1, 31), 4) == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
                                               date(2026, 5, 31)]  # fmt: skip
    result = build_schedule(principal=D("1000.00"), annual_rate=D("0.06"), term_months=3,
                            method=Method.EQUAL_PRINCIPAL, start_date=date(2026, 1, 31))  # fmt: skip
    assert [line.due_date for line in result.lines] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


# --- properties ----------------------------------------------------------------------------------------------------

principals = st.integers(min_value=1, max_value=10**12).map(lambda fen: D(fen) / 100)
rates = st.integers(min_value=0, max_value=1_000_000).map(lambda millionths: D(millionths) / 1_000_000)


def _two_places(amount: Decimal) -> bool:
    return amount.as_tuple().exponent == -2


@settings(max_examples=200, deadline=None)
@given(principal=principals, rate=rates, months=st.integers(1, MAX_TERM_MONTHS), method=st.sampled_from(Method))
def test_every_schedule_keeps_the_invariants(principal, rate, months, method):
    result = build_schedule(principal=principal, annual_rate=rate, term_months=months, method=method,
                            start_date=date(2026, 1, 31))  # fmt: skip
    assert result.total_principal == principal
    assert len(result.lines) == (1 if method is Method.BULLET else months)
    opening = principal
    for number, line in enumerate(result.lines, start=1):
        assert line.period == number
        assert all(amount >= 0 and _two_places(amount) for amount in (line.principal, line.interest, line.balance))
        assert line.balance == opening - line.principal <= opening
        opening = line.balance
    assert result.lines[-1].balance == D("0.00")
    assert [line.due_date for line in result.lines] == sorted({line.due_date for line in result.lines})


@settings(max_examples=100, deadline=None)
@given(principal=principals, rate=rates, months=st.integers(2, 120), paid=st.integers(1, 119),
       left=st.integers(1, 10_000))  # fmt: skip
def test_every_prepayment_repays_exactly_the_balance(principal, rate, months, paid, left):
    paid = min(paid, months - 1)
    original = build_schedule(principal=principal, annual_rate=rate, term_months=months,
                              method=Method.EQUAL_INSTALLMENT, start_date=START)  # fmt: skip
    balance = quantize_money(original.lines[paid - 1].balance * left / 10_000)  # what the prepayment left owing
    if balance <= 0:
        return
    result = reschedule(balance=balance, annual_rate=rate, method=Method.EQUAL_INSTALLMENT,
                        remaining_due_dates=[line.due_date for line in original.lines[paid:]],
                        first_period=paid + 1)  # fmt: skip
    assert result.total_principal == balance
    assert result.lines[-1].balance == D("0.00")
    assert all(line.principal >= 0 and line.interest >= 0 for line in result.lines)


@settings(max_examples=100, deadline=None)
@given(principal=principals, rate=rates.filter(bool), months=st.integers(2, 120), paid=st.integers(1, 119),
       left=st.integers(1, 10_000), fraction=st.integers(1, 100))  # fmt: skip
def test_a_kept_payment_is_paid_in_full_until_the_last_instalment(principal, rate, months, paid, left, fraction):
    paid = min(paid, months - 1)
    original = build_schedule(principal=principal, annual_rate=rate, term_months=months,
                              method=Method.EQUAL_INSTALLMENT, start_date=START)  # fmt: skip
    kept = original.lines[0].payment
    balance = quantize_money(original.lines[paid - 1].balance * left / 10_000)
    assume(balance > 0 and kept > quantize_money(balance * rate / 12))
    remaining = [line.due_date for line in original.lines[paid:]]
    result = reschedule(balance=balance, annual_rate=rate, method=Method.EQUAL_INSTALLMENT,
                        remaining_due_dates=remaining, first_period=paid + 1, keep=Keep.PAYMENT, payment=kept,
                        first_fraction=D(fraction) / 100)  # fmt: skip
    assert result.total_principal == balance
    assert all(line.payment == kept for line in result.lines[:-1])
    assert result.lines[-1].payment > 0
    assert result.lines[-1].payment <= kept or len(result.lines) == len(remaining)  # only the last due date absorbs


# --- refusals ------------------------------------------------------------------------------------------------------

VALID = {"principal": D("1000.00"), "annual_rate": D("0.06"), "term_months": 12, "method": Method.EQUAL_INSTALLMENT,
         "start_date": START}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"principal": D("0.00")}, "principal"),
        ({"principal": D("-100.00")}, "principal"),
        ({"principal": D("100.001")}, "principal"),
        ({"principal": 100}, "principal"),
        ({"annual_rate": D("-0.000001")}, "annual_rate"),
        ({"annual_rate": D("1.000001")}, "annual_rate"),
        ({"annual_rate": 0.06}, "annual_rate"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": MAX_TERM_MONTHS + 1}, "term_months"),
        ({"method": "balloon"}, "method"),
        ({"method": Method.BULLET, "term_days": 0}, "term_days"),
        ({"method": Method.BULLET, "term_days": MAX_TERM_MONTHS * 31 + 1}, "term_days"),
        ({"method": Method.BULLET, "term_months": 0}, "term_months"),
    ],
)
def test_build_schedule_names_the_offending_input(change, field):
    with pytest.raises(ScheduleError) as refused:
        build_schedule(**{**VALID, **change})
    assert refused.value.field == field


@pytest.mark.parametrize("rate", [D("0"), D("1")])
def test_rate_bounds_are_inclusive(rate):
    assert build_schedule(**{**VALID, "annual_rate": rate}).total_principal == D("1000.00")


RESCHEDULE = {"balance": D("1000.00"), "annual_rate": D("0.06"), "method": Method.EQUAL_INSTALLMENT,
              "remaining_due_dates": AHEAD, "first_period": 4}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"balance": D("0.00")}, "principal"),
        ({"annual_rate": D("2")}, "annual_rate"),
        ({"method": "balloon"}, "method"),
        ({"remaining_due_dates": []}, "remaining_due_dates"),
        ({"method": Method.INTEREST_ONLY, "keep": Keep.PAYMENT}, "keep"),
        ({"keep": Keep.PAYMENT}, "payment"),
        ({"keep": Keep.PAYMENT, "payment": D("0.00")}, "payment"),
        ({"keep": Keep.PAYMENT, "payment": D("5.00")}, "payment"),  # below the 5.00 interest of the first period
        ({"method": Method.EQUAL_PRINCIPAL, "keep": Keep.PAYMENT}, "principal_per_period"),
    ],
)
def test_reschedule_names_the_offending_input(change, field):
    with pytest.raises(ScheduleError) as refused:
        reschedule(**{**RESCHEDULE, **change})
    assert refused.value.field == field
