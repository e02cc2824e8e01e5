"""Money helpers: Decimal only, ROUND_HALF_UP to the fen, exact allocation. No database, no Django."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loancrm.core.money import (
    CENT,
    allocate,
    fen,
    fen_str,
    format_money,
    money_str,
    money_sum,
    quantize_money,
    to_money,
    to_rate,
)

D = Decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.345", D("2.35")),
        ("2.344", D("2.34")),
        ("-2.345", D("-2.35")),  # ties go away from zero
        ("2.355", D("2.36")),  # not banker's rounding
        ("0.005", D("0.01")),
        ("-0.005", D("-0.01")),
        ("1,234.56", D("1234.56")),
        (" 1,234.565 ", D("1234.57")),
        ("-1,234,567.891", D("-1234567.89")),
        ("+12", D("12.00")),
        ("１２３.４５", D("123.45")),  # full-width digits and point
        ("1，234", D("1234.00")),  # full-width comma
        (100, D("100.00")),
        (-7, D("-7.00")),
        (D("8606.6449"), D("8606.64")),
        (D("1E+2"), D("100.00")),
        ("99999999999999999999999999999999.995", D("100000000000000000000000000000000.00")),
    ],
)
def test_to_money_rounds_half_up_to_the_fen(raw, expected):
    result = to_money(raw)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", ["-0.001", "-0.004", D("-0.00"), D("-0"), "-0"])
def test_negative_zero_never_comes_out(raw):
    result = to_money(raw)
    assert result == 0 and not result.is_signed()
    assert money_str(result) == "0.00"


@pytest.mark.parametrize("raw", [0.1, 1.0, 0.0, True, False])
def test_floats_and_bools_never_become_money(raw):
    with pytest.raises(TypeError, match="floats never touch money"):
        to_money(raw)


@pytest.mark.parametrize("raw", [None, b"1.00", [1], object()])
def test_other_types_are_refused(raw):
    with pytest.raises(TypeError):
        to_money(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-inf",
        D("NaN"),
        D("-Infinity"),
        "abc",
        "",
        "   ",
        "1.2.3",
        "1e5",  # exponents are not amounts people type
        "1E2",
        "1_000",
        ",,1,2",  # misplaced separators
        "12,34",
        "1,2345.00",
        "1.",
        ".5",
        "¥12",
        "12元",
        "١٢٣",  # Arabic-Indic digits
        "1 234",
    ],
)
def test_non_amounts_are_refused_with_value_error(raw):
    with pytest.raises(ValueError):
        to_money(raw)


@pytest.mark.parametrize("raw", [D("1E+50"), D("-1E+39")])
def test_amounts_too_large_raise_value_error_not_invalid_operation(raw):
    with pytest.raises(ValueError, match="too large"):
        to_money(raw)


def test_results_do_not_depend_on_the_callers_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 4
        assert to_money("1234567.891") == D("1234567.89")
        assert format_money(D("-1234567.89")) == "-1,234,567.89"
        assert money_sum(["1234567.89", "0.01"]) == D("1234567.90")
        assert allocate(D("1000000.00"), [D(1), D(2)]) == [D("333333.33"), D("666666.67")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("1.005"), D("1.01")), (D("-1.005"), D("-1.01")), (D("1.0049999"), D("1.00")), (D("7"), D("7.00"))],
)
def test_quantize_money_is_half_up_to_the_fen(value, expected):
    assert quantize_money(value) == expected
    assert quantize_money(value).as_tuple().exponent == CENT.as_tuple().exponent


@pytest.mark.parametrize(
    ("value", "error"), [(1.005, TypeError), (1, TypeError), ("1.00", TypeError), (D("NaN"), ValueError)]
)
def test_quantize_money_takes_only_finite_decimals(value, error):
    with pytest.raises(error):
        quantize_money(value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.06", D("0.060000")),
        ("0.0490005", D("0.049001")),
        ("0.0490004999", D("0.049000")),
        (D("0.1"), D("0.100000")),
        (0, D("0.000000")),
        (1, D("1.000000")),
        ("-0", D("0.000000")),
    ],
)
def test_rates_have_six_places(raw, expected):
    result = to_rate(raw)
    assert result == expected
    assert result.as_tuple().exponent == -6 and not result.is_signed()


@pytest.mark.parametrize(
    ("raw", "error"),
    [("-0.01", ValueError), ("-0.0000001", ValueError), ("6%", ValueError), ("NaN", ValueError), (0.06, TypeError)],
)
def test_bad_rates_are_refused(raw, error):
    with pytest.raises(error):
        to_rate(raw)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], D("0.00")),
        (["0.10", "0.20", 1], D("1.30")),
        ([D("0.1")] * 10, D("1.00")),
        (["1,000.005", "-0.005"], D("1000.00")),  # each addend is rounded to the fen first
        ((x for x in ["1", "2"]), D("3.00")),
    ],
)
def test_money_sum(values, expected):
    assert money_sum(values) == expected


@pytest.mark.parametrize(("values", "error"), [([D("1"), 0.5], TypeError), ("123", TypeError), (["x"], ValueError)])
def test_money_sum_refuses_floats_and_single_values(values, error):
    with pytest.raises(error):
        money_sum(values)


@pytest.mark.parametrize(
    ("value", "symbol", "expected"),
    [
        (D("1234.56"), False, "1,234.56"),
        (D("1234.56"), True, "¥1,234.56"),
        (D("-1234.56"), False, "-1,234.56"),
        (D("-1234.5"), True, "-¥1,234.50"),
        (D("1234567.891"), False, "1,234,567.89"),
        (D("0"), False, "0.00"),
        (D("-0.001"), True, "¥0.00"),
        (D("999.995"), False, "1,000.00"),
        (D("0.5"), True, "¥0.50"),
    ],
)
def test_format_money(value, symbol, expected):
    assert format_money(value, symbol=symbol) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("8606.64"), "8606.64"),
        (D("8606.645"), "8606.65"),
        (D("1234567.8"), "1234567.80"),
        (D("-0.5"), "-0.50"),
        (D("0"), "0.00"),
        (D("1E+6"), "1000000.00"),
    ],
)
def test_money_str(value, expected):
    assert money_str(value) == expected


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        ("100.00", ["1", "1", "1"], ["33.33", "33.33", "33.34"]),
        ("0.01", ["1", "1"], ["0.01", "0.00"]),
        ("10.00", ["3", "1"], ["7.50", "2.50"]),
        ("-10.00", ["1", "2"], ["-3.33", "-6.67"]),
        ("100.00", ["0", "1", "0"], ["0.00", "100.00", "0.00"]),
        ("0.00", ["1", "1"], ["0.00", "0.00"]),
        ("5", ["1"], ["5.00"]),
        ("100.00", ["0.2", "0.3", "0.5"], ["20.00", "30.00", "50.00"]),
        # Documented edge: the last part takes the whole residual and can change sign.
        ("0.02", ["1", "1", "1", "1"], ["0.01", "0.01", "0.01", "-0.01"]),
    ],
)
def test_allocate_gives_the_residual_to_the_last_part(total, weights, parts):
    result = allocate(D(total), [D(w) for w in weights])
    assert result == [D(p) for p in parts]
    assert sum(result, D("0.00")) == D(total)
    assert all(part.as_tuple().exponent == -2 for part in result)


def test_allocate_accepts_int_weights():
    assert allocate(D("100.00"), [1, 1, 1]) == [D("33.33"), D("33.33"), D("33.34")]


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (D("1.00"), [], ValueError),
        (D("1.00"), [D("0")], ValueError),
        (D("1.00"), [D("0"), D("0")], ValueError),
        (D("1.00"), [D("-1"), D("2")], ValueError),
        (D("1.00"), [D("NaN")], ValueError),
        (D("100.005"), [D("1"), D("1")], ValueError),  # not on the fen: parts could not sum to it
        (D("NaN"), [D("1")], ValueError),
        (D("1.00"), [0.5, 0.5], TypeError),
        (D("1.00"), [True], TypeError),
        (D("1.00"), ["1"], TypeError),
        (100, [D("1")], TypeError),
        ("100.00", [D("1")], TypeError),
    ],
)
def test_allocate_refuses_bad_input(total, weights, error):
    with pytest.raises(error):
        allocate(total, weights)


@given(
    total=st.decimals(min_value=D("-10000000"), max_value=D("10000000"), places=2, allow_nan=False),
    weights=st.lists(
        st.decimals(min_value=D("0"), max_value=D("1000"), places=4, allow_nan=False)
        | st.integers(min_value=0, max_value=10**6),
        min_size=1,
        max_size=24,
    ).filter(lambda ws: sum(ws) > 0),
)
def test_allocated_parts_always_sum_exactly_to_the_total(total, weights):
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts, D("0.00")) == total
    with localcontext() as ctx:
        ctx.prec = 80  # exact enough that only a true tie sits at half a fen
        weight_sum = sum(D(w) for w in weights)
        for part, weight in zip(parts[:-1], weights[:-1], strict=True):
            assert part.as_tuple().exponent == -2
            assert abs(part - total * D(weight) / weight_sum) <= D("0.005")


@given(st.decimals(min_value=Decimal("-1E16"), max_value=Decimal("1E16"), places=2))
def test_fen_round_trips_every_fen_amount(value):
    assert fen_str(fen(value)) == money_str(value)
    assert Decimal(fen_str(fen(value))) == value


@pytest.mark.parametrize("value", [Decimal("0.001"), Decimal("12.345")])
def test_fen_refuses_amounts_off_the_fen(value):
    with pytest.raises(ValueError):
        fen(value)
