"""Ledger and schedule invariants the loan tests check after every money event."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from loancrm.ledger.choices import Acct
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.loans.models import Installment, Loan, LoanTransaction, TransactionPart

ZERO = Decimal("0.00")


def assert_books_consistent(loan: Loan) -> None:
    """Every entry balances; the loan's receivables and advance equal its current schedule and balances."""
    loan.refresh_from_db()
    for entry in JournalEntry.objects.filter(loan_id=loan.pk):
        lines = JournalLine.objects.filter(entry=entry).values_list("debit", "credit")
        assert sum((d for d, _c in lines), ZERO) == sum((c for _d, c in lines), ZERO), f"entry {entry.pk} unbalanced"
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, debit, credit in JournalLine.objects.filter(loan_id=loan.pk).values_list(
        "account__code", "debit", "credit"
    ):
        balances[code] += debit - credit
    rows = list(Installment.objects.filter(loan_id=loan.pk, version=loan.schedule_version))
    principal = sum((r.principal_due - r.principal_paid for r in rows), ZERO)
    interest = sum((r.interest_accrued - r.interest_paid for r in rows), ZERO)
    assert balances[Acct.PRINCIPAL] == principal == loan.principal_outstanding
    assert balances[Acct.INTEREST] == interest
    assert -balances[Acct.ADVANCE] == loan.advance_balance
    assert sum((r.principal_due for r in rows), ZERO) == loan.principal
    for r in rows:
        for name in ("principal", "interest", "fee", "penalty"):
            assert ZERO <= getattr(r, f"{name}_paid") <= getattr(r, f"{name}_due"), (r, name)
        assert r.interest_accrued >= r.interest_paid
    assert loan.advance_balance >= 0
    for txn in LoanTransaction.objects.filter(loan_id=loan.pk).exclude(kind__in=["disbursement", "migration"]):
        parts = TransactionPart.objects.filter(transaction=txn).exclude(component="accrued")
        paid = parts.aggregate(s=Sum("amount"))["s"] or ZERO
        if txn.kind == "reversal":
            continue
        funded = txn.amount if txn.kind == "advance_applied" else txn.amount - txn.advance
        assert paid == funded, f"transaction {txn.pk} not exactly allocated"


def trial_balance() -> Decimal:
    """Debits − credits over the whole journal, summed exactly (SQLite's SUM of decimals is floating point)."""
    return sum((d - c for d, c in JournalLine.objects.values_list("debit", "credit")), ZERO)
