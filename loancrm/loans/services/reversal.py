"""Reversing a posted repayment: the mirror journal entry, the instalments it paid reopened, nothing edited.

Rules: bookings and reversals are not reversible; a transaction is reversed at most once; a prepayment or payoff
only while its schedule version is still the current one and nothing was posted after it (the schedule it replaced
comes back); any other payment only while the instalments it paid are still in the current schedule (reverse the
later prepayment first) and while the advance it created is still held.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import NotFound
from loancrm.core.money import ZERO, money_str
from loancrm.ledger.choices import EntryKind
from loancrm.ledger.posting import journal_post, journal_reverse
from loancrm.loans.allocation import Component
from loancrm.loans.choices import LoanStatus, TxnKind, TxnStatus
from loancrm.loans.errors import ReversalRefused
from loancrm.loans.models import Installment, LoanTransaction, TransactionPart
from loancrm.loans.rows import PAID_FIELD
from loancrm.loans.services.common import current_rows, lock_loan
from loancrm.loans.services.settlement import ACCRUED, save_rows, settle_loan

NOT_REVERSIBLE = (TxnKind.DISBURSEMENT, TxnKind.MIGRATION, TxnKind.REVERSAL)
RESCHEDULING = (TxnKind.PREPAYMENT, TxnKind.PAYOFF)


def payment_reverse(
    *, transaction_id: int, reason: str, actor: Any, request: HttpRequest | None = None
) -> LoanTransaction:
    """Reverse the transaction (see the module rules); returns the reversal."""
    if not reason.strip():
        raise ReversalRefused(_("A reason is required."), fields={"reason": [_("A reason is required.")]})
    business_date = current_business_date()
    with transaction.atomic():
        found = LoanTransaction.objects.filter(pk=transaction_id).values_list("loan_id", flat=True).first()
        if found is None:
            raise NotFound
        loan = lock_loan(found)
        txn = LoanTransaction.objects.select_related("journal_entry", "channel").get(pk=transaction_id)
        _refuse_unless_reversible(txn, loan)
        parts = list(TransactionPart.objects.filter(transaction=txn))
        rows = {row.pk: row for row in Installment.objects.filter(pk__in={p.installment_id for p in parts})}
        if txn.kind in RESCHEDULING:
            parts = [p for p in parts if rows[p.installment_id].version == txn.from_version]
            loan.schedule_version = txn.from_version or loan.schedule_version
        elif any(row.version != loan.schedule_version for row in rows.values()):
            raise ReversalRefused(_("A later prepayment changed the schedule; reverse it first."))
        undone: dict[int, Installment] = {}
        for part in parts:
            row = rows[part.installment_id]
            name = "interest_accrued" if part.component == ACCRUED else PAID_FIELD[Component(part.component)]
            setattr(row, name, getattr(row, name) - part.amount)
            undone[row.pk] = row
        memo = f"{loan.contract_no} reversal {reason}"[:200]
        if txn.journal_entry is not None:
            entry = journal_reverse(txn.journal_entry, entry_date=business_date, memo=memo, actor=actor)
        else:  # a bank-file repayment posted in bulk: its lines are part of its chunk's journal entry
            from loancrm.loans.statements.poster import reversal_legs

            accrued = sum((p.amount for p in parts if p.component == ACCRUED), ZERO)
            entry = journal_post(entry_date=business_date, kind=EntryKind.REVERSAL, legs=reversal_legs(txn, accrued),
                                 memo=memo, loan_id=loan.pk, actor=actor)  # fmt: skip
        reversal = LoanTransaction.objects.create(
            loan=loan,
            kind=TxnKind.REVERSAL,
            source=txn.source,
            amount=txn.amount,
            principal=-txn.principal,
            interest=-txn.interest,
            penalty=-txn.penalty,
            fee=-txn.fee,
            advance=-txn.advance,
            value_date=business_date,
            channel_id=txn.channel_id,
            reference=txn.reference,
            reverses=txn,
            reason=reason.strip()[:200],
            from_version=txn.to_version if txn.kind in RESCHEDULING else None,
            to_version=txn.from_version if txn.kind in RESCHEDULING else None,
            journal_entry=entry,
            posted_at=timezone.now(),
            posted_by=actor if getattr(actor, "pk", None) else None,
        )
        TransactionPart.objects.bulk_create(
            [
                TransactionPart(
                    transaction=reversal, installment_id=p.installment_id, component=p.component, amount=-p.amount
                )
                for p in parts
            ]
        )
        LoanTransaction.objects.filter(pk=txn.pk).update(status=TxnStatus.REVERSED)
        save_rows(undone.values(), paid_on=business_date, business_date=business_date)
        settle_loan(
            loan, current_rows(loan), advance_change=-txn.advance, on=business_date, business_date=business_date
        )
        audit_event(
            actor,
            "payment.reversed",
            loan,
            {
                "transaction": txn.pk,
                "reversal": reversal.pk,
                "kind": txn.kind,
                "amount": money_str(txn.amount),
                "reason": reason.strip()[:200],
            },
            request,
        )
    return reversal


def _refuse_unless_reversible(txn: LoanTransaction, loan: Any) -> None:
    if txn.kind in NOT_REVERSIBLE:
        raise ReversalRefused(_("Bookings and reversals cannot be reversed."))
    if txn.status == TxnStatus.REVERSED:
        raise ReversalRefused(_("This transaction has already been reversed."))
    if loan.status == LoanStatus.WRITTEN_OFF:
        raise ReversalRefused(_("The loan has been written off."))
    if txn.kind in RESCHEDULING:
        later = LoanTransaction.objects.filter(loan_id=loan.pk, pk__gt=txn.pk, status=TxnStatus.POSTED).exclude(
            kind=TxnKind.REVERSAL
        )
        if loan.schedule_version != txn.to_version or later.exists():
            raise ReversalRefused(_("Transactions were posted after this prepayment; reverse them first."))
    if loan.advance_balance - txn.advance < 0:
        raise ReversalRefused(_("The advance this payment created has been used; reverse that first."))
