"""A tiny local loan book for ledger tests: loans with their schedule rows created directly, and postings that keep
loan rows and the journal consistent (the loan services are written elsewhere)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F

from loancrm.customers.models import Customer
from loancrm.ledger.choices import AccountKind, Acct, EntryKind
from loancrm.ledger.models import JournalEntry, LedgerAccount
from loancrm.ledger.posting import cr, dr, journal_post
from loancrm.loans.models import Installment, Loan

D = dt.date
M = Decimal
CLEARING = Acct.CLEARING_PREFIX + "unionpay"
SEPTEMBER = D(2026, 9, 1)


def clearing_account() -> str:
    """The per-channel clearing account the payments module would create."""
    LedgerAccount.objects.get_or_create(
        code=CLEARING, defaults={"kind": AccountKind.ASSET, "name_zh": "银联清算户", "name_en": "UnionPay clearing"}
    )
    return CLEARING


def make_loan(
    contract_no: str = "HT-2026-0001",
    *,
    principal: str = "12000.00",
    interest: str = "60.00",
    term: int = 3,
    officer: Any = None,
    unit: Any = None,
    start: dt.date = SEPTEMBER,
) -> Loan:
    """A loan of ``principal`` in ``term`` equal-principal instalments of version 1 (``interest`` due each), not yet
    disbursed in the ledger."""
    customer = Customer.objects.create(name="张三", owner=officer, org_unit=unit)
    loan = Loan.objects.create(
        contract_no=contract_no, customer=customer, product_code="consumer", officer=officer, org_unit=unit,
        principal=M(principal), annual_rate=M("0.060000"), term_months=term, method="equal_principal",
        start_date=start, maturity_date=start + dt.timedelta(days=30 * term),
        principal_outstanding=M(principal),
    )  # fmt: skip
    share = (M(principal) / term).quantize(M("0.01"))
    for period in range(1, term + 1):
        last = period == term
        Installment.objects.create(
            loan=loan, period=period, due_date=start + dt.timedelta(days=30 * period),
            period_start=start + dt.timedelta(days=30 * (period - 1)),
            principal_due=M(principal) - share * (term - 1) if last else share, interest_due=M(interest),
        )  # fmt: skip
    return loan


def disburse(loan: Loan, on: dt.date | None = None, actor: Any = None) -> JournalEntry:
    return journal_post(
        entry_date=on or loan.start_date,
        kind=EntryKind.DISBURSEMENT,
        legs=[dr(Acct.PRINCIPAL, loan.principal, loan.pk), cr(Acct.DISBURSEMENT, loan.principal)],
        memo=f"放款 {loan.contract_no}",
        loan_id=loan.pk,
        actor=actor,
    )


def accrue(loan: Loan, period: int, amount: str, on: dt.date) -> JournalEntry:
    """Accrue interest on one instalment: the receivable and the schedule row move together."""
    Installment.objects.filter(loan=loan, period=period).update(interest_accrued=F("interest_accrued") + M(amount))
    return journal_post(
        entry_date=on,
        kind=EntryKind.ACCRUAL,
        legs=[dr(Acct.INTEREST, M(amount), loan.pk), cr(Acct.INTEREST_INCOME, M(amount))],
        loan_id=loan.pk,
    )


def repay(loan: Loan, period: int, principal: str, interest: str, on: dt.date) -> JournalEntry:
    """A repayment through the clearing account, allocated to one instalment's interest then principal."""
    p, i = M(principal), M(interest)
    Installment.objects.filter(loan=loan, period=period).update(
        principal_paid=F("principal_paid") + p, interest_paid=F("interest_paid") + i
    )
    Loan.objects.filter(pk=loan.pk).update(principal_outstanding=F("principal_outstanding") - p)
    return journal_post(
        entry_date=on,
        kind=EntryKind.REPAYMENT,
        legs=[dr(clearing_account(), p + i), cr(Acct.INTEREST, i, loan.pk), cr(Acct.PRINCIPAL, p, loan.pk)],
        memo=f"还款 {loan.contract_no}",
        loan_id=loan.pk,
    )
