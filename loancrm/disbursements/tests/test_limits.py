"""The disbursement limits, table-driven (pure logic, no database)."""

from decimal import Decimal as D  # noqa: N817 (short in the table)

import pytest

from loancrm.disbursements.limits import APPROVED, CUSTOMER_LIMIT, DAILY_CAP, PRODUCT_MAX, LimitInputs, exceeded

BASE = {"amount": D("50000.00"), "approved_amount": D("50000.00"), "product_max": D("200000.00"),
        "customer_outstanding": D("0.00"), "customer_limit": D("300000.00"), "disbursed_today": D("0.00"),
        "daily_cap": D("1000000.00")}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"approved_amount": D("49999.99")}, [APPROVED]),
        ({"approved_amount": None}, [APPROVED]),
        ({"product_max": D("40000.00")}, [PRODUCT_MAX]),
        ({"customer_outstanding": D("250000.00")}, []),  # exactly at the limit
        ({"customer_outstanding": D("250000.01")}, [CUSTOMER_LIMIT]),
        ({"disbursed_today": D("950000.00")}, []),
        ({"disbursed_today": D("950000.01")}, [DAILY_CAP]),
        (
            {"amount": D("400000.00"), "approved_amount": D("400000.00"), "disbursed_today": D("700000.00")},
            [PRODUCT_MAX, CUSTOMER_LIMIT, DAILY_CAP],
        ),
    ],
)
def test_limits_exceeded(changes, expected):
    assert exceeded(LimitInputs(**(BASE | changes))) == expected
