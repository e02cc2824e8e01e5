"""The repayments a migrated loan brings, rebuilt from its repaid-to-date total (pure: no Django).

Convention (the source system gives only a total and perhaps the date of the last repayment): the total pays the
schedule in order. Each instalment it covers in full is paid in one repayment on its due date — or on the last
repayment date, or the business date, when that comes first (an instalment paid ahead of time). What is left pays
the next instalment in part, on the last repayment date when the file gives one, otherwise on that instalment's due
date, and never after the business date. Each repayment then goes through the ordinary waterfall (interest before
principal), so a remainder pays the instalment's interest first.

Invariants: the amounts are positive, on the fen, sum exactly to the total, and are in date order; no date is after
the business date or (when given) the last repayment date, nor before the start date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from loancrm.loans.schedule import Line


@dataclass(frozen=True)
class Repayment:
    value_date: dt.date
    amount: Decimal


def replay(
    lines: Sequence[Line],
    repaid: Decimal,
    *,
    start_date: dt.date,
    business_date: dt.date,
    last_repaid_on: dt.date | None = None,
) -> list[Repayment]:
    """The repayments that pay ``repaid`` over the schedule ``lines`` (see module docstring)."""
    cap = min(last_repaid_on or business_date, business_date)
    left, payments = repaid, []
    next_due = None
    for line in lines:
        if left <= 0:
            break
        if line.payment <= 0:  # nothing falls due (e.g. an interest-free period)
            continue
        if left < line.payment:
            next_due = line.due_date
            break
        payments.append(Repayment(max(start_date, min(line.due_date, cap)), line.payment))
        left -= line.payment
    if left > 0:
        when = last_repaid_on or next_due or cap
        payments.append(Repayment(max(start_date, min(when, cap)), left))
    return payments
