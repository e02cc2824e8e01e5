"""APR as the IRR of the schedule's cash flows × 12 (table-driven, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from loancrm.contracts.apr import apr, bullet_flows, irr, loan_flows
from loancrm.loans.schedule import build_schedule


def _schedule_apr(principal, rate, term, method, upfront="0", monthly_fee="0"):
    s = build_schedule(principal=Decimal(principal), annual_rate=Decimal(rate), term_months=term, method=method,
                       start_date=date(2026, 1, 15))  # fmt: skip
    payments = [line.payment for line in s.lines]
    fees = [Decimal(monthly_fee)] * len(payments)
    return apr(loan_flows(Decimal(principal) - Decimal(upfront), payments, fees))


@pytest.mark.parametrize(
    ("principal", "rate", "term", "method", "upfront", "monthly_fee", "expected"),
    [
        # no fees: the APR is the nominal rate (up to the fen rounding of the instalment)
        ("100000.00", "0.120000", 12, "equal_installment", "0", "0", Decimal("0.120000")),
        ("100000.00", "0.120000", 12, "equal_principal", "0", "0", Decimal("0.120000")),
        ("50000.00", "0.144000", 24, "interest_only", "0", "0", Decimal("0.144000")),
        ("100000.00", "0.000000", 12, "equal_installment", "0", "0", Decimal("0.000000")),
        # a one-off fee taken at disbursement raises the APR
        ("100000.00", "0.120000", 12, "equal_installment", "1200.00", "0", Decimal("0.142991")),
        # a monthly fee of 0.05 % of the principal
        ("100000.00", "0.120000", 12, "equal_installment", "0", "50.00", Decimal("0.130671")),
    ],
)
def test_apr_of_schedules(principal, rate, term, method, upfront, monthly_fee, expected):
    assert _schedule_apr(principal, rate, term, method, upfront, monthly_fee) == expected


def test_bullet_apr_is_the_monthly_compounded_equivalent():
    # 12 000 interest on 100 000 after 12 months: (1.12)^(1/12) − 1 per month
    assert apr(bullet_flows(Decimal("100000"), Decimal("112000"), 12)) == Decimal("0.113866")


def test_irr_of_a_one_period_loan():
    assert irr([Decimal("100"), Decimal("-101")]) == Decimal("0.01")


@pytest.mark.parametrize("flows", [[Decimal("100")], [Decimal("-100"), Decimal("110")], [Decimal("100"), Decimal(5)]])
def test_flows_without_a_loan_shape_are_refused(flows):
    with pytest.raises(ValueError):
        irr(flows)
