"""The repayment waterfall: order, modes, the advance, refusals, and that the parts always add up (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loancrm.loans.allocation import (
    DEFAULT_ORDER,
    Allocation,
    Component,
    Due,
    Mode,
    allocate_payment,
    parse_order,
)

D = Decimal
FEE, PENALTY, INTEREST, PRINCIPAL = Component.FEE, Component.PENALTY, Component.INTEREST, Component.PRINCIPAL
VALUE_DATE = date(2026, 3, 10)

# Two overdue instalments (Jan, Feb), the current one (Mar 15) and a future one (Apr 15), listed out of order.
DUES = [
    Due(4, date(2026, 4, 15), interest=D("90.00"), principal=D("910.00")),
    Due(2, date(2026, 2, 15), fee=D("10.00"), penalty=D("3.00"), interest=D("95.00"), principal=D("905.00")),
    Due(3, date(2026, 3, 15), interest=D("92.00"), principal=D("908.00")),
    Due(1, date(2026, 1, 15), fee=D("10.00"), penalty=D("8.00"), interest=D("100.00"), principal=D("900.00")),
]


def parts(result: Allocation) -> list[tuple[int, Component, Decimal]]:
    return [(part.key, part.component, part.amount) for part in result.parts]


CASES = [
    # amount, options, expected parts, advance
    ("15.00", {}, [(1, FEE, D("10.00")), (1, PENALTY, D("5.00"))], "0.00"),
    ("118.00", {}, [(1, FEE, D("10.00")), (1, PENALTY, D("8.00")), (1, INTEREST, D("100.00"))], "0.00"),
    (
        "1100.00",
        {},
        [
            (1, FEE, D("10.00")),
            (1, PENALTY, D("8.00")),
            (1, INTEREST, D("100.00")),
            (1, PRINCIPAL, D("900.00")),
            (2, FEE, D("10.00")),
            (2, PENALTY, D("3.00")),
            (2, INTEREST, D("69.00")),
        ],
        "0.00",
    ),
    (
        "3100.00",  # both overdue (2,031.00), the current one (1,000.00), 69.00 left: the next one is not touched
        {},
        [
            (1, FEE, D("10.00")),
            (1, PENALTY, D("8.00")),
            (1, INTEREST, D("100.00")),
            (1, PRINCIPAL, D("900.00")),
            (2, FEE, D("10.00")),
            (2, PENALTY, D("3.00")),
            (2, INTEREST, D("95.00")),
            (2, PRINCIPAL, D("905.00")),
            (3, INTEREST, D("92.00")),
            (3, PRINCIPAL, D("908.00")),
        ],
        "69.00",
    ),
    (
        "2100.00",  # without the current instalment the rest after the overdue ones is an advance
        {"include_current": False},
        [
            (1, FEE, D("10.00")),
            (1, PENALTY, D("8.00")),
            (1, INTEREST, D("100.00")),
            (1, PRINCIPAL, D("900.00")),
            (2, FEE, D("10.00")),
            (2, PENALTY, D("3.00")),
            (2, INTEREST, D("95.00")),
            (2, PRINCIPAL, D("905.00")),
        ],
        "69.00",
    ),
    (
        "250.00",  # by component: every overdue fee, then every penalty, then interest oldest first
        {"mode": Mode.BY_COMPONENT},
        [
            (1, FEE, D("10.00")),
            (2, FEE, D("10.00")),
            (1, PENALTY, D("8.00")),
            (2, PENALTY, D("3.00")),
            (1, INTEREST, D("100.00")),
            (2, INTEREST, D("95.00")),
            (1, PRINCIPAL, D("24.00")),
        ],
        "0.00",
    ),
    (
        "2100.00",  # by component still pays the current instalment (in the order) after all overdue ones
        {"mode": "by_component"},
        [
            (1, FEE, D("10.00")),
            (2, FEE, D("10.00")),
            (1, PENALTY, D("8.00")),
            (2, PENALTY, D("3.00")),
            (1, INTEREST, D("100.00")),
            (2, INTEREST, D("95.00")),
            (1, PRINCIPAL, D("900.00")),
            (2, PRINCIPAL, D("905.00")),
            (3, INTEREST, D("69.00")),
        ],
        "0.00",
    ),
    (
        "130.00",  # a product order: interest and principal before penalty and fee
        {"order": parse_order("interest,principal,penalty,fee")},
        [(1, INTEREST, D("100.00")), (1, PRINCIPAL, D("30.00"))],
        "0.00",
    ),
]


@pytest.mark.parametrize(("amount", "options", "expected", "advance"), CASES)
def test_waterfall(amount, options, expected, advance):
    result = allocate_payment(D(amount), DUES, value_date=VALUE_DATE, **options)
    assert parts(result) == expected
    assert result.advance == D(advance)
    assert result.total() + result.advance == D(amount)


def test_totals_per_component():
    result = allocate_payment(D("1100.00"), DUES, value_date=VALUE_DATE)
    assert [result.total(component) for component in DEFAULT_ORDER] == [D("20.00"), D("11.00"), D("169.00"),
                                                                         D("900.00")]  # fmt: skip
    assert result.total() == D("1100.00")


def test_an_instalment_due_on_the_value_date_is_current_not_overdue():
    dues = [Due(1, date(2026, 3, 10), interest=D("10.00"), principal=D("90.00")),
            Due(2, date(2026, 4, 10), interest=D("10.00"), principal=D("90.00"))]  # fmt: skip
    assert parts(allocate_payment(D("150.00"), dues, value_date=date(2026, 3, 10))) == [
        (1, INTEREST, D("10.00")), (1, PRINCIPAL, D("90.00")),
    ]  # fmt: skip
    nothing_overdue = allocate_payment(D("150.00"), dues, value_date=date(2026, 3, 10), include_current=False)
    assert (nothing_overdue.parts, nothing_overdue.advance) == ((), D("150.00"))


def test_settled_instalments_are_skipped_and_the_next_open_one_is_current():
    dues = [Due(1, date(2026, 3, 15)), Due(2, date(2026, 4, 15), interest=D("5.00"), principal=D("95.00"))]
    assert parts(allocate_payment(D("20.00"), dues, value_date=VALUE_DATE)) == [
        (2, INTEREST, D("5.00")), (2, PRINCIPAL, D("15.00")),
    ]  # fmt: skip


def test_same_due_date_goes_by_key():
    dues = [Due(9, date(2026, 1, 15), principal=D("50.00")), Due(5, date(2026, 1, 15), principal=D("50.00"))]
    assert parts(allocate_payment(D("60.00"), dues, value_date=VALUE_DATE)) == [
        (5, PRINCIPAL, D("50.00")), (9, PRINCIPAL, D("10.00")),
    ]  # fmt: skip


def test_no_dues_at_all_is_an_advance():
    result = allocate_payment(D("10.00"), [], value_date=VALUE_DATE)
    assert (result.parts, result.advance) == ((), D("10.00"))


@pytest.mark.parametrize("amount", [D("0.00"), D("-1.00"), D("1.005"), 1, "1.00", 1.0])
def test_amount_must_be_a_positive_decimal_on_the_fen(amount):
    with pytest.raises(ValueError, match="positive and on the fen"):
        allocate_payment(amount, DUES, value_date=VALUE_DATE)


def test_parse_order():
    assert parse_order(" penalty, interest ,principal,fee") == (PENALTY, INTEREST, PRINCIPAL, FEE)


@pytest.mark.parametrize("text", ["", "fee,penalty,interest", "fee,fee,interest,principal",
                                  "fee,penalty,interest,principal,fee", "fee,penalty,interest,capital"])  # fmt: skip
def test_parse_order_refuses_anything_but_each_component_once(text):
    with pytest.raises(ValueError):  # an unknown name fails in the enum, a wrong set in parse_order
        parse_order(text)


# --- properties ----------------------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**8).map(lambda fen: D(fen) / 100)
dues_lists = st.lists(
    st.builds(
        Due,
        key=st.integers(1, 50),
        due_date=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
        fee=cents,
        penalty=cents,
        interest=cents,
        principal=cents,
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=10**9).map(lambda fen: D(fen) / 100),
    dues=dues_lists,
    value_date=st.dates(date(2025, 1, 1), date(2028, 1, 1)),
    order=st.permutations(list(Component)),
    mode=st.sampled_from(Mode),
    include_current=st.booleans(),
)
def test_parts_and_advance_always_sum_to_the_amount(amount, dues, value_date, order, mode, include_current):
    result = allocate_payment(amount, dues, value_date=value_date, order=order, mode=mode,
                              include_current=include_current)  # fmt: skip
    assert result.total() + result.advance == amount
    assert result.advance >= 0
    taken: dict[tuple[int, Component], Decimal] = {}
    for part in result.parts:
        assert part.amount > 0
        taken[part.key, part.component] = taken.get((part.key, part.component), D(0)) + part.amount
    owed: dict[tuple[int, Component], Decimal] = {}
    for due in dues:
        for component in Component:
            owed[due.key, component] = owed.get((due.key, component), D(0)) + due.owed(component)
    assert all(amount <= owed[slot] for slot, amount in taken.items())
    if result.advance > 0:  # money is held back only when everything it may pay is paid
        payable = [d for d in dues if d.total > 0 and d.due_date < value_date]
        assert sum((d.total for d in payable), D(0)) <= result.total()
