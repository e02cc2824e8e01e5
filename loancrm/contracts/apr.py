"""The annual percentage rate (APR) of a loan: the internal rate of return of its cash flows (pure: no Django).

The borrower receives the principal less the fees taken at disbursement and pays each instalment plus the fees due
with it; the APR is the monthly IRR of those flows × 12 (the 年化利率 that PBoC's 2021 announcement No. 3 asks
lenders to show, computed by the IRR method), rounded ROUND_HALF_UP to six places (0.0001 %). Decimal throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

RATE_PLACES = Decimal("0.000001")
_TOLERANCE = Decimal("1e-20")


def _npv(rate: Decimal, flows: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Net present value at a per-period ``rate`` and its derivative."""
    value, slope, factor = Decimal(0), Decimal(0), Decimal(1)
    base = 1 + rate
    for period, flow in enumerate(flows):
        value += flow / factor
        slope -= period * flow / (factor * base)
        factor *= base
    return value, slope


def irr(flows: Sequence[Decimal]) -> Decimal:
    """The per-period rate r with Σ flow_t / (1+r)^t = 0; flows start with the (positive) amount received."""
    if len(flows) < 2 or flows[0] <= 0 or all(f >= 0 for f in flows[1:]):
        raise ValueError("cash flows need an amount received and later payments")
    with localcontext() as ctx:
        ctx.prec = 40
        low, high = Decimal("-0.99"), Decimal(1)
        rate = Decimal("0.01")
        for _ in range(100):
            value, slope = _npv(rate, flows)
            if abs(value) < _TOLERANCE:
                return rate
            # keep a bracket (with the amount received first, the NPV rises with the rate) and fall back to
            # bisection when a Newton step leaves it
            if value > 0:
                high = rate
            else:
                low = rate
            step = rate - value / slope if slope else (low + high) / 2
            rate = step if low < step < high else (low + high) / 2
        return rate


def apr(flows: Sequence[Decimal], periods_per_year: int = 12) -> Decimal:
    """The nominal annual rate of ``flows`` (per-period IRR × ``periods_per_year``), six places."""
    with localcontext() as ctx:
        ctx.prec = 40
        return (irr(flows) * periods_per_year).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def loan_flows(
    net_received: Decimal, payments: Sequence[Decimal], payment_fees: Sequence[Decimal] | None = None
) -> list[Decimal]:
    """``[net received, -(payment_1 + fee_1), …]`` for monthly instalments."""
    fees = list(payment_fees or [Decimal(0)] * len(payments))
    return [net_received, *(-(p + f) for p, f in zip(payments, fees, strict=True))]


def bullet_flows(net_received: Decimal, repayment: Decimal, months: int) -> list[Decimal]:
    """A single repayment after ``months`` months: zero flows in between."""
    return [net_received, *([Decimal(0)] * (months - 1)), -repayment]
