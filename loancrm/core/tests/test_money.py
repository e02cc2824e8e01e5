"""Money helpers: Decimal only, ROUND_HALF_UP to the fen, exact allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loancrm.core.money import allocate, format_money, money_str, money_sum, quantize_money, to_money, to_rate

D = Decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.345", D("2.35")),
        ("2.344", D("2.34")),
        ("-2.345", D("-2.35")),
        ("0.005", D("0.01")),
        (" 1,234.565 ", D("1234.57")),
        (100, D("100.00")),
        (D("8606.6449"), D("8606.64")),
        ("1E2", D("100.00")),
    ],
)
def test_to_money_rounds_half_up_to_the_fen(raw, expected):
    assert to_money(raw) == expected
    assert to_money(raw).as_tuple().exponent == -2


@pytest.mark.parametrize("raw", [0.1, 1.0, True])
def test_floats_and_bools_never_become_money(raw):
    with pytest.raises(TypeError):
        to_money(raw)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-inf", "abc", "", "1.2.3"])
def test_non_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        to_money(raw)


def test_quantize_money_takes_only_decimals():
    assert quantize_money(D("1.005")) == D("1.01")
    with pytest.raises(TypeError):
        quantize_money(1.005)  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "expected"), [("0.06", D("0.060000")), ("0.0490005", D("0.049001")), (0, D("0"))])
def test_rates_have_six_places(raw, expected):
    assert to_rate(raw) == expected


def test_negative_rates_and_float_rates_are_refused():
    with pytest.raises(ValueError):
        to_rate("-0.01")
    with pytest.raises(TypeError):
        to_rate(0.06)  # type: ignore[arg-type]


def test_money_sum_and_formats():
    assert money_sum([]) == D("0.00")
    assert money_sum(["0.10", "0.20", 1]) == D("1.30")
    assert money_str(D("8606.64")) == "8606.64" and money_str(D("-0.5")) == "-0.50"
    assert format_money(D("1234567.891")) == "1,234,567.89"
    assert format_money(D("-1234.5"), symbol=True) == "-¥1,234.50"
    assert format_money(D("0")) == "0.00"


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        ("100.00", ["1", "1", "1"], ["33.33", "33.33", "33.34"]),
        ("0.01", ["1", "1"], ["0.01", "0.00"]),
        ("10.00", ["3", "1"], ["7.50", "2.50"]),
        ("-10.00", ["1", "2"], ["-3.33", "-6.67"]),
    ],
)
def test_allocate_gives_the_residual_to_the_last_part(total, weights, parts):
    assert allocate(D(total), [D(w) for w in weights]) == [D(p) for p in parts]


def test_allocate_refuses_bad_weights():
    for weights in ([], [D("0")], [D("-1"), D("2")]):
        with pytest.raises(ValueError):
            allocate(D("1.00"), weights)


@given(
    total=st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2, allow_nan=False),
    weights=st.lists(st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2), min_size=1, max_size=12),
)
def test_allocated_parts_always_sum_to_the_total(total, weights):
    assert sum(allocate(total, weights), D("0.00")) == total
