"""The terms a contract freezes at generation: schedule rows, fees, APR and the other clauses (pure: no Django).

Fees (``ProductVersion.fees``): ``one_off`` fees are taken at disbursement (they reduce the amount received),
``periodic`` fees are due with every instalment; each is a fixed ``amount`` or a ``rate`` of the principal, rounded
ROUND_HALF_UP to the fen. The APR is the IRR of the borrower's cash flows × 12 (``apr.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from loancrm.contracts.apr import apr, bullet_flows, loan_flows
from loancrm.core.money import ZERO, money_str, quantize_money
from loancrm.loans.schedule import Method, build_schedule


@dataclass(frozen=True)
class FrozenTerms:
    apr: Decimal
    schedule: list[dict[str, str]]
    fees: list[dict[str, str]]


def fee_amount(fee: dict[str, Any], principal: Decimal) -> Decimal:
    if fee.get("amount") not in (None, ""):
        return quantize_money(Decimal(str(fee["amount"])))
    return quantize_money(principal * Decimal(str(fee.get("rate") or "0")))


def freeze(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    method: str,
    start_date: date,
    fees: list[dict[str, Any]],
    day_count: int = 360,
) -> FrozenTerms:
    schedule = build_schedule(principal=principal, annual_rate=annual_rate, term_months=term_months, method=method,
                              start_date=start_date, day_count=day_count)  # fmt: skip
    frozen_fees = [
        {
            "name": str(f.get("name", "")),
            "kind": str(f.get("kind", "")),
            "amount": money_str(fee_amount(f, principal)),
            "rate": str(f.get("rate") or ""),
            "fixed": "1" if f.get("amount") not in (None, "") else "",
        }
        for f in fees
    ]
    upfront = sum((Decimal(f["amount"]) for f in frozen_fees if f["kind"] == "one_off"), ZERO)
    periodic = sum((Decimal(f["amount"]) for f in frozen_fees if f["kind"] == "periodic"), ZERO)
    lines = schedule.lines
    if Method(method) is Method.BULLET:
        flows = bullet_flows(principal - upfront, lines[-1].payment + periodic, term_months)
    else:
        flows = loan_flows(principal - upfront, [line.payment for line in lines], [periodic] * len(lines))
    rows = [
        {
            "period": str(line.period),
            "due_date": line.due_date.isoformat(),
            "principal": money_str(line.principal),
            "interest": money_str(line.interest),
            "payment": money_str(line.payment),
            "balance": money_str(line.balance),
        }
        for line in lines
    ]
    return FrozenTerms(apr=apr(flows), schedule=rows, fees=frozen_fees)
