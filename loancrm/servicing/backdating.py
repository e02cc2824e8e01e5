"""A payment valued before the business date pays the penalty owed on its value date, not the days after it.

The end-of-day run accrues penalty to the business date; a payment valued earlier (back-dated) must not pay the
penalty of the days after its value date. ``penalty_on_value_date`` caps each overdue instalment's penalty in the
waterfall's dues at what was owed on that day (same maths and history as the batch); the next end-of-day run then
recomputes the penalty from the history, which now holds the payment: the days after it fall away, the instalment
is marked paid on the payment's value date when nothing else is owed, and DPD, bucket and status follow.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from loancrm.core.money import ZERO
from loancrm.loans.allocation import Due
from loancrm.loans.choices import TxnKind, TxnStatus
from loancrm.loans.models import Installment, Loan, TransactionPart
from loancrm.servicing.overdue import LatePayment, penalty_to_date
from loancrm.servicing.rules import rule_for


def _history(rows: Sequence[Installment]) -> dict[int, list[LatePayment]]:
    due = {row.pk: row.due_date for row in rows}
    found: dict[int, list[LatePayment]] = defaultdict(list)
    parts = TransactionPart.objects.filter(
        installment_id__in=list(due), component__in=("principal", "interest"), transaction__status=TxnStatus.POSTED
    ).exclude(transaction__kind=TxnKind.REVERSAL)
    for installment_id, component, amount, value_date in parts.values_list(
        "installment_id", "component", "amount", "transaction__value_date"
    ):
        if value_date > due[installment_id]:
            field = "principal" if component == "principal" else "interest"
            found[installment_id].append(LatePayment(value_date, **{field: amount}))
    return found


def penalty_on_value_date(loan: Loan, rows: Sequence[Installment], dues: list[Due], value_date: dt.date) -> list[Due]:
    """``dues`` with each overdue instalment's penalty at most what it owed on ``value_date``."""
    charged = {
        row.pk: row
        for row in rows
        if row.penalty_rate is not None and row.penalty_due > row.penalty_paid and row.due_date < value_date
    }
    if not charged:
        return dues
    terms = rule_for(loan.product_code)
    history = _history(list(charged.values()))
    capped = []
    for due in dues:
        row = charged.get(due.key)
        if row is not None:
            owed = penalty_to_date(
                due_date=row.due_date, as_of=value_date,
                principal_outstanding=row.principal_due - row.principal_paid,
                interest_outstanding=row.interest_due - row.interest_paid, rate=row.penalty_rate or ZERO,
                compound_rate=row.compound_rate or ZERO, payments=history.get(row.pk, []),
                day_count=terms.day_count, grace_days=terms.grace_days,
            )  # fmt: skip
            due = dataclasses.replace(due, penalty=min(due.penalty, max(owed.total - row.penalty_paid, ZERO)))
        capped.append(due)
    return capped
