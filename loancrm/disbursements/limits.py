"""The disbursement limits as pure logic (no Django): which limits an amount would exceed.

Checked before every disbursement: the amount is at most the approved amount and the product's maximum; the
customer's outstanding principal plus this amount is at most the per-customer limit; today's disbursements plus
this amount are at most the daily cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

APPROVED, PRODUCT_MAX, CUSTOMER_LIMIT, DAILY_CAP = "approved", "product_max", "customer_limit", "daily_cap"


@dataclass(frozen=True)
class LimitInputs:
    amount: Decimal
    approved_amount: Decimal | None
    product_max: Decimal
    customer_outstanding: Decimal
    customer_limit: Decimal
    disbursed_today: Decimal
    daily_cap: Decimal


def exceeded(inputs: LimitInputs) -> list[str]:
    """The codes of the limits exceeded, in a fixed order (empty when every limit holds)."""
    problems = []
    if inputs.approved_amount is None or inputs.amount > inputs.approved_amount:
        problems.append(APPROVED)
    if inputs.amount > inputs.product_max:
        problems.append(PRODUCT_MAX)
    if inputs.customer_outstanding + inputs.amount > inputs.customer_limit:
        problems.append(CUSTOMER_LIMIT)
    if inputs.disbursed_today + inputs.amount > inputs.daily_cap:
        problems.append(DAILY_CAP)
    return problems
