"""The one way money changes a loan: gather what an event pays (``Posting``), then ``write`` it.

``write`` posts the balanced journal entry, the transaction with its parts, the changed instalment rows and the
loan's balances and status, all in the caller's transaction (the caller holds the loan's row lock).

Invariants: the entry's receivable credits equal the parts per component; interest paid before it was accrued is
recognised first (``accrued`` part: Dr interest receivable, Cr interest income); ``loan.principal_outstanding`` is
recomputed from the current schedule; payments move a loan only overdue → active and → paid off (active → overdue is
the end-of-day batch's), a reversal may reopen a paid-off loan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from loancrm.core.money import ZERO
from loancrm.ledger.choices import Acct, EntryKind
from loancrm.ledger.posting import Leg, balanced_lines, cr, dr, journal_post
from loancrm.loans.allocation import Allocation, Component
from loancrm.loans.choices import LoanStatus, Source, TxnKind, ensure_transition
from loancrm.loans.models import Installment, Loan, LoanTransaction, PaymentNotification, TransactionPart
from loancrm.loans.rows import MONEY_FIELDS, PAID_FIELD, has_overdue, is_settled, principal_outstanding
from loancrm.loans.rows import status_after_change as row_status
from loancrm.loans.services.pg_persist import persist_in_one_statement

ACCRUED = "accrued"
RECEIVABLE = {
    Component.PRINCIPAL: Acct.PRINCIPAL,
    Component.INTEREST: Acct.INTEREST,
    Component.PENALTY: Acct.PENALTY,
    Component.FEE: Acct.FEE,
}
ENTRY_KIND = {
    TxnKind.REPAYMENT: EntryKind.REPAYMENT,
    TxnKind.PREPAYMENT: EntryKind.REPAYMENT,
    TxnKind.PAYOFF: EntryKind.REPAYMENT,
    TxnKind.ADVANCE_APPLIED: EntryKind.ADVANCE,
}


@dataclass
class Posting:
    loan: Loan
    kind: TxnKind
    amount: Decimal
    value_date: dt.date
    source: Source = Source.SYSTEM
    funding: list[Leg] = field(default_factory=list)
    from_advance: Decimal = ZERO
    to_advance: Decimal = ZERO
    income_account: str = Acct.INTEREST_INCOME
    channel_id: int | None = None
    reference: str = ""
    reason: str = ""
    from_version: int | None = None
    to_version: int | None = None
    notification_id: int | None = None  # the channel notification this posting answers (linked to the transaction)
    parts: list[tuple[Installment, str, Decimal]] = field(default_factory=list)
    changed: dict[int, Installment] = field(default_factory=dict)

    def pay(self, row: Installment, component: Component, amount: Decimal) -> None:
        """Add ``amount`` to the row's paid ``component``, recognising interest paid ahead of its accrual."""
        name = PAID_FIELD[component]
        setattr(row, name, getattr(row, name) + amount)
        self.parts.append((row, component.value, amount))
        if component is Component.INTEREST and row.interest_paid > row.interest_accrued:
            self.parts.append((row, ACCRUED, row.interest_paid - row.interest_accrued))
            row.interest_accrued = row.interest_paid
        self.changed[row.pk] = row

    def apply(self, allocation: Allocation, rows_by_id: dict[int, Installment]) -> None:
        for part in allocation.parts:
            self.pay(rows_by_id[part.key], part.component, part.amount)

    @property
    def advance_change(self) -> Decimal:
        return self.to_advance - self.from_advance

    def total(self, component: str) -> Decimal:
        return sum((amount for _row, name, amount in self.parts if name == component), ZERO)


def write(
    posting: Posting, *, current_rows: Sequence[Installment], business_date: dt.date, actor: Any
) -> LoanTransaction:
    """Persist ``posting``; ``current_rows`` is the loan's whole current schedule after the changes."""
    loan = posting.loan
    legs = [*posting.funding, dr(Acct.ADVANCE, posting.from_advance, loan.pk)]
    for component, account in RECEIVABLE.items():
        legs.append(cr(account, posting.total(component.value), loan.pk))
    accrued = posting.total(ACCRUED)
    legs += [dr(Acct.INTEREST, accrued, loan.pk), cr(posting.income_account, accrued, loan.pk)]
    legs.append(cr(Acct.ADVANCE, posting.to_advance, loan.pk))
    lines = balanced_lines(legs)
    txn = LoanTransaction(
        loan=loan,
        kind=posting.kind,
        source=posting.source,
        amount=posting.amount,
        principal=posting.total(Component.PRINCIPAL.value),
        interest=posting.total(Component.INTEREST.value),
        penalty=posting.total(Component.PENALTY.value),
        fee=posting.total(Component.FEE.value),
        advance=posting.advance_change,
        value_date=posting.value_date,
        channel_id=posting.channel_id,
        reference=posting.reference[:80],
        reason=posting.reason[:200],
        from_version=posting.from_version,
        to_version=posting.to_version,
        posted_at=timezone.now(),
        posted_by=actor if getattr(actor, "pk", None) else None,
    )
    for row in posting.changed.values():
        row_status(row, paid_on=posting.value_date, business_date=business_date)
    loan_after(loan, current_rows, advance_change=posting.advance_change, on=posting.value_date,
               business_date=business_date)  # fmt: skip
    memo = f"{loan.contract_no} {posting.kind.value} {posting.reference}".strip()
    entry_kind = ENTRY_KIND.get(posting.kind, EntryKind.REPAYMENT)
    if connection.vendor == "postgresql":
        persist_in_one_statement(
            txn, lines, posting.parts, list(posting.changed.values()), entry_kind=entry_kind, memo=memo,
            business_date=business_date, notification_id=posting.notification_id,
        )  # fmt: skip
        return txn
    txn.journal_entry = journal_post(
        entry_date=posting.value_date,
        kind=entry_kind,
        legs=lines,
        memo=memo,
        loan_id=loan.pk,
        actor=actor,
        move_out_of_closed=True,
    )
    txn.save(force_insert=True)
    TransactionPart.objects.bulk_create(
        [TransactionPart(transaction=txn, installment=row, component=c, amount=a) for row, c, a in posting.parts]
    )
    save_rows(posting.changed.values(), paid_on=posting.value_date, business_date=business_date)
    save_loan(loan)
    if posting.notification_id is not None:
        PaymentNotification.objects.filter(pk=posting.notification_id).update(transaction=txn)
    return txn


def save_rows(rows: Any, *, paid_on: dt.date, business_date: dt.date) -> None:
    for row in rows:
        row_status(row, paid_on=paid_on, business_date=business_date)
        Installment.objects.filter(pk=row.pk).update(
            status=row.status, paid_on=row.paid_on, **{name: getattr(row, name) for name in MONEY_FIELDS}
        )


def settle_loan(
    loan: Loan, rows: Sequence[Installment], *, advance_change: Decimal, on: dt.date, business_date: dt.date
) -> None:
    """Balances and status of ``loan`` from its current schedule ``rows``; saved."""
    loan_after(loan, rows, advance_change=advance_change, on=on, business_date=business_date)
    save_loan(loan)


def loan_after(
    loan: Loan, rows: Sequence[Installment], *, advance_change: Decimal, on: dt.date, business_date: dt.date
) -> None:
    """Set the loan's balances, status and maturity from its current schedule ``rows`` (in memory)."""
    loan.principal_outstanding = principal_outstanding(rows)
    loan.advance_balance += advance_change
    target = loan.status
    if loan.principal_outstanding == 0 and all(is_settled(row) for row in rows):
        target = LoanStatus.PAID_OFF
    elif loan.status == LoanStatus.PAID_OFF:
        target = LoanStatus.OVERDUE if has_overdue(rows, business_date) else LoanStatus.ACTIVE
    elif loan.status == LoanStatus.OVERDUE and not has_overdue(rows, business_date):
        target = LoanStatus.ACTIVE
    if target != loan.status:
        ensure_transition(loan.status, target)
        loan.status = target
        loan.paid_off_on = on if target == LoanStatus.PAID_OFF else None
    if rows:
        loan.maturity_date = max(row.due_date for row in rows)


LOAN_BALANCE_FIELDS = ["principal_outstanding", "advance_balance", "status", "paid_off_on", "maturity_date",
                       "schedule_version"]  # fmt: skip


def save_loan(loan: Loan) -> None:
    loan.save(update_fields=LOAN_BALANCE_FIELDS)
