"""Posting a repayment through the waterfall, and applying a held advance when instalments fall due.

Invariants: the amount is split exactly (parts + advance = amount); the clearing account (the channel's, the
migration account, …) is debited with the whole amount; money beyond what is due is held as customer advance,
never lost; one audit event per posting, in its transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.money import ZERO, money_str
from loancrm.ledger.choices import Acct
from loancrm.ledger.posting import dr
from loancrm.loans.allocation import allocate_payment, parse_order
from loancrm.loans.choices import Source, TxnKind
from loancrm.loans.models import Installment, Loan, LoanTransaction
from loancrm.loans.rows import open_dues
from loancrm.loans.services.common import (
    checked_amount,
    checked_value_date,
    current_rows,
    lock_loan,
    lock_with_rows,
)
from loancrm.loans.services.settlement import Posting, write
from loancrm.servicing.backdating import penalty_on_value_date


def clearing_account(channel_code: str | None) -> str:
    """The clearing account of a payment channel (the suspense account when there is none)."""
    return f"{Acct.CLEARING_PREFIX}{channel_code}" if channel_code else Acct.SUSPENSE


def payment_post(
    *,
    loan_id: int,
    amount: Any,
    value_date: dt.date,
    actor: Any,
    source: Source = Source.MANUAL,
    channel: Any = None,
    reference: str = "",
    request: HttpRequest | None = None,
) -> LoanTransaction:
    """Post a repayment received on ``value_date`` (refused for a loan that is not open)."""
    amount = checked_amount(amount)
    business_date = current_business_date()
    checked_value_date(value_date, business_date)
    with transaction.atomic():
        loan, rows = lock_with_rows(loan_id)
        return payment_post_locked(
            loan, rows, amount=amount, value_date=value_date, actor=actor, source=source, channel=channel,
            reference=reference, business_date=business_date, request=request,
        )  # fmt: skip


def payment_post_locked(
    loan: Loan,
    rows: list[Installment],
    *,
    amount: Decimal,
    value_date: dt.date,
    actor: Any,
    business_date: dt.date,
    source: Source = Source.MANUAL,
    channel: Any = None,
    reference: str = "",
    notification_id: int | None = None,
    request: HttpRequest | None = None,
) -> LoanTransaction:
    """``payment_post`` for a caller already inside a transaction holding the loan's lock (``lock_with_rows``)
    that has checked the amount, the value date and that the loan is open: writes without a savepoint.
    ``notification_id``: the channel notification answered by this payment (linked to its transaction)."""
    txn = post_locked(
        loan,
        rows=rows,
        amount=amount,
        value_date=value_date,
        source=source,
        clearing=clearing_account(channel.code if channel else None),
        channel_id=channel.pk if channel else None,
        reference=reference,
        notification_id=notification_id,
        actor=actor,
        business_date=business_date,
    )
    audit_event(actor, "payment.posted", loan, _txn_data(txn), request)
    return txn


def post_locked(
    loan: Loan,
    *,
    amount: Decimal,
    value_date: dt.date,
    source: Source,
    clearing: str,
    actor: Any,
    business_date: dt.date,
    income_account: str = Acct.INTEREST_INCOME,
    channel_id: int | None = None,
    reference: str = "",
    notification_id: int | None = None,
    rows: list[Installment] | None = None,
) -> LoanTransaction:
    """The posting itself, for a loan the caller has locked (no audit event: the caller writes it); ``rows`` is its
    current schedule when the caller has it already."""
    rows = current_rows(loan) if rows is None else rows
    dues = open_dues(rows)
    if value_date < business_date:  # back-dated: no penalty for the days after the value date
        dues = penalty_on_value_date(loan, rows, dues, value_date)
    allocation = allocate_payment(amount, dues, value_date=value_date, order=parse_order(loan.allocation_order))
    posting = Posting(
        loan=loan,
        kind=TxnKind.REPAYMENT,
        amount=amount,
        value_date=value_date,
        source=source,
        funding=[dr(clearing, amount, loan.pk)],
        to_advance=allocation.advance,
        income_account=income_account,
        channel_id=channel_id,
        reference=reference,
        notification_id=notification_id,
    )
    posting.apply(allocation, {row.pk: row for row in rows})
    return write(posting, current_rows=rows, business_date=business_date, actor=actor)


def advance_apply(*, loan_id: int, as_of: dt.date, actor: Any = None) -> LoanTransaction | None:
    """Use the advance a loan holds for what is due on or before ``as_of``; None when there is nothing to do."""
    business_date = current_business_date()
    with transaction.atomic():
        loan = lock_loan(loan_id)
        if loan.advance_balance <= 0:
            return None
        rows = current_rows(loan)
        dues = open_dues(rows, until=as_of)
        owed = sum((due.total for due in dues), ZERO)
        if owed <= 0:
            return None
        used = min(owed, loan.advance_balance)
        allocation = allocate_payment(used, dues, value_date=as_of, order=parse_order(loan.allocation_order))
        posting = Posting(
            loan=loan,
            kind=TxnKind.ADVANCE_APPLIED,
            amount=used,
            value_date=as_of,
            source=Source.SYSTEM,
            from_advance=used,
        )
        posting.apply(allocation, {row.pk: row for row in rows})
        txn = write(posting, current_rows=rows, business_date=business_date, actor=actor)
        audit_event(actor, "payment.posted", loan, _txn_data(txn))
    return txn


def _txn_data(txn: LoanTransaction) -> dict[str, Any]:
    return {
        "transaction": txn.pk,
        "kind": txn.kind,
        "source": txn.source,
        "amount": money_str(txn.amount),
        "value_date": txn.value_date.isoformat(),
        "principal": money_str(txn.principal),
        "interest": money_str(txn.interest),
        "penalty": money_str(txn.penalty),
        "fee": money_str(txn.fee),
        "advance": money_str(txn.advance),
        "reference": txn.reference,
    }
