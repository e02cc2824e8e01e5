"""The overdue maths without a database: the penalty reference, cumulative rounding, DPD and band boundaries."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loancrm.core.money import quantize_money
from loancrm.servicing.overdue import (
    DEFAULT_BUCKETS,
    DEFAULT_CLASSES,
    Band,
    LatePayment,
    band_for,
    check_bands,
    days_past_due,
    interest_to_date,
    overdue_bases,
    penalty_rate,
    penalty_to_date,
)

D = Decimal
DUE = dt.date(2026, 2, 15)
RATE = penalty_rate(D("0.06"), D("1.5"))


def reference(as_of, payments=(), principal="8106.64", interest="500.00", **extra):
    return penalty_to_date(
        due_date=DUE, as_of=as_of, principal_outstanding=D(principal), interest_outstanding=D(interest),
        rate=RATE, compound_rate=RATE, payments=payments, **extra,
    )  # fmt: skip


def test_the_reference_instalment_paid_ten_days_late():
    # given instalment 1 of 100,000 / 12 / 6 % (principal 8,106.64, interest 500.00), multiplier 1.5, /360
    # when it is paid 10 days late
    paid = [LatePayment(DUE + dt.timedelta(days=10), D("8106.64"), D("500.00"))]
    after = reference(DUE + dt.timedelta(days=40), paid, principal="0", interest="0")
    # then the penalty stopped on the payment date
    assert D("0.09") == RATE
    assert (after.on_principal, after.compound, after.total) == (D("20.27"), D("1.25"), D("21.52"))
    # and it is what was owed on that day while still unpaid
    assert reference(DUE + dt.timedelta(days=10)).total == D("21.52")


def test_daily_cumulative_accrual_never_drifts_from_the_to_date_amount():
    accrued, posted = D("0.00"), []
    for day in range(1, 11):
        to_date = reference(DUE + dt.timedelta(days=day)).total
        posted.append(to_date - accrued)
        accrued = to_date
    assert sum(posted) == D("21.52")
    daily_rounded = sum(quantize_money(D("8606.64") * D("0.09") / 360) for _day in range(10))
    assert daily_rounded == D("21.50")  # what rounding each day separately would have given


def test_compound_switched_off_and_grace():
    off = penalty_to_date(
        due_date=DUE, as_of=DUE + dt.timedelta(days=10), principal_outstanding=D("8106.64"),
        interest_outstanding=D("500.00"), rate=RATE, compound_rate=D("0"),
    )  # fmt: skip
    assert off.total == D("20.27")
    assert reference(DUE + dt.timedelta(days=3), grace_days=3).total == D("0.00")
    assert reference(DUE + dt.timedelta(days=4), grace_days=3).on_principal == quantize_money(
        D("8106.64") * 4 * RATE / 360
    )
    within = [LatePayment(DUE + dt.timedelta(days=2), D("8106.64"), D("500.00"))]
    assert reference(DUE + dt.timedelta(days=9), within, principal="0", interest="0", grace_days=3).total == 0


def test_partial_payments_change_the_base_from_the_day_after():
    # 5,000.00 principal paid on day 4, the rest still owed on day 10
    paid = [LatePayment(DUE + dt.timedelta(days=4), D("5000.00"))]
    principal_days, interest_days = overdue_bases(
        due_date=DUE, as_of=DUE + dt.timedelta(days=10), principal_outstanding=D("3106.64"),
        interest_outstanding=D("500.00"), payments=paid,
    )  # fmt: skip
    assert principal_days == D("3106.64") * 10 + D("5000.00") * 4
    assert interest_days == D("5000.00")
    # a payment before the due date does not count at all
    early = [LatePayment(DUE - dt.timedelta(days=3), D("8106.64"))]
    assert overdue_bases(due_date=DUE, as_of=DUE + dt.timedelta(days=5), principal_outstanding=D("0"),
                         interest_outstanding=D("0"), payments=early) == (0, 0)  # fmt: skip


@pytest.mark.parametrize(
    ("days", "bucket", "risk_class"),
    [
        (0, "M0", "normal"),
        (1, "M1", "special_mention"),
        (30, "M1", "special_mention"),
        (31, "M2", "special_mention"),
        (60, "M2", "special_mention"),
        (61, "M3", "special_mention"),
        (90, "M3", "special_mention"),
        (91, "M4", "substandard"),
        (180, "M6", "substandard"),
        (181, "M7+", "substandard"),
        (270, "M7+", "substandard"),
        (271, "M7+", "doubtful"),
        (360, "M7+", "doubtful"),
        (361, "M7+", "loss"),
        (5000, "M7+", "loss"),
    ],
)
def test_dpd_bucket_and_class_boundaries(days, bucket, risk_class):
    dpd = days_past_due(DUE, DUE + dt.timedelta(days=days))
    assert dpd == days
    assert band_for(dpd, DEFAULT_BUCKETS) == bucket
    assert band_for(dpd, DEFAULT_CLASSES) == risk_class


@pytest.mark.parametrize(("days", "grace", "dpd"), [(0, 0, 0), (1, 0, 1), (3, 3, 0), (4, 3, 4), (-5, 0, 0)])
def test_dpd_with_grace(days, grace, dpd):
    assert days_past_due(DUE, DUE + dt.timedelta(days=days), grace) == dpd
    assert days_past_due(None, DUE) == 0


@pytest.mark.parametrize(
    "bands",
    [
        (),
        (Band("A", 1, None),),
        (Band("A", 0, 5), Band("B", 7, None)),
        (Band("A", 0, 5), Band("B", 5, None)),
        (Band("A", 0, None), Band("B", 1, None)),
        (Band("A", 0, 5),),
        (Band("A", 0, 5), Band("B", 6, 4), Band("C", 5, None)),
    ],
)
def test_bad_band_tables_are_refused(bands):
    with pytest.raises(ValueError):
        check_bands(bands)


def test_default_tables_are_valid():
    check_bands(DEFAULT_BUCKETS)
    check_bands(DEFAULT_CLASSES)
    with pytest.raises(ValueError):
        band_for(-1, DEFAULT_BUCKETS)


@pytest.mark.parametrize(
    ("as_of", "earned"),
    [
        (dt.date(2026, 1, 15), "0.00"),
        (dt.date(2026, 1, 16), "16.13"),  # 500 × 1 / 31
        (dt.date(2026, 1, 30), "241.94"),  # 500 × 15 / 31
        (dt.date(2026, 2, 14), "483.87"),
        (dt.date(2026, 2, 15), "500.00"),
        (dt.date(2026, 3, 1), "500.00"),
    ],
)
def test_interest_to_date(as_of, earned):
    assert interest_to_date(D("500.00"), dt.date(2026, 1, 15), DUE, as_of) == D(earned)


@given(
    fen=st.integers(min_value=0, max_value=10**13),
    period=st.integers(min_value=1, max_value=400),
    elapsed=st.integers(min_value=0, max_value=400),
)
def test_the_integer_fen_formula_of_the_batch_equals_the_decimal_one(fen, period, elapsed):
    """The batch computes interest to date in integer fen in SQL: (2·fen·days + period) // (2·period)."""
    start = dt.date(2026, 1, 1)
    expected = interest_to_date(D(fen).scaleb(-2), start, start + dt.timedelta(days=period),
                                start + dt.timedelta(days=elapsed))  # fmt: skip
    days = min(elapsed, period)
    assert D((2 * fen * days + period) // (2 * period)).scaleb(-2) == expected
