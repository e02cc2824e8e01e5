"""Reversals: the mirror entry, reopened instalments, the schedule restored, and what may not be reversed."""

import datetime as dt
from decimal import Decimal

import pytest

from loancrm.core.models import AuditEvent
from loancrm.ledger.models import JournalLine
from loancrm.loans.choices import InstallmentStatus, LoanStatus, TxnKind, TxnStatus
from loancrm.loans.errors import ReversalRefused
from loancrm.loans.models import Installment, LoanTransaction
from loancrm.loans.services import advance_apply, payment_post, payment_reverse, prepayment_post
from loancrm.loans.tests.factories import make_loan, set_business_date
from loancrm.loans.tests.invariants import assert_books_consistent, trial_balance

pytestmark = pytest.mark.django_db
D = Decimal
FEB, MAR = dt.date(2026, 2, 15), dt.date(2026, 3, 15)


def pay(loan, amount, day):
    return payment_post(loan_id=loan.pk, amount=D(amount), value_date=day, actor=None)


def test_reversing_a_payment_reopens_what_it_paid_and_mirrors_its_entry():
    loan = make_loan()
    set_business_date(MAR)
    txn = pay(loan, "8606.64", FEB)

    reversal = payment_reverse(transaction_id=txn.pk, reason="bounced", actor=None)

    txn.refresh_from_db()
    loan.refresh_from_db()
    assert txn.status == TxnStatus.REVERSED and reversal.reverses_id == txn.pk and reversal.kind == TxnKind.REVERSAL
    first = Installment.objects.get(loan=loan, period=1)
    assert first.principal_paid == first.interest_paid == D("0.00") and first.interest_accrued == D("0.00")
    assert first.status == InstallmentStatus.OVERDUE and first.paid_on is None
    assert loan.principal_outstanding == D("100000.00")
    original = {
        (line.account_id, line.debit, line.credit) for line in JournalLine.objects.filter(entry_id=txn.journal_entry_id)
    }
    mirror = {
        (line.account_id, line.credit, line.debit)
        for line in JournalLine.objects.filter(entry_id=reversal.journal_entry_id)
    }
    assert original == mirror
    assert AuditEvent.objects.filter(action="payment.reversed", target_id=str(loan.pk)).count() == 1
    assert_books_consistent(loan)
    assert trial_balance() == 0


def test_a_transaction_is_reversed_once_and_bookings_are_not_reversible():
    loan = make_loan()
    txn = pay(loan, "100.00", dt.date(2026, 1, 15))
    payment_reverse(transaction_id=txn.pk, reason="duplicate", actor=None)
    with pytest.raises(ReversalRefused):
        payment_reverse(transaction_id=txn.pk, reason="again", actor=None)
    booking = LoanTransaction.objects.get(loan=loan, kind=TxnKind.DISBURSEMENT)
    with pytest.raises(ReversalRefused):
        payment_reverse(transaction_id=booking.pk, reason="no", actor=None)
    with pytest.raises(ReversalRefused):
        payment_reverse(transaction_id=txn.pk, reason="  ", actor=None)
    assert LoanTransaction.objects.filter(kind=TxnKind.REVERSAL).count() == 1


def test_reversing_the_last_payment_of_a_paid_off_loan_reopens_it():
    loan = make_loan(term_months=1)
    set_business_date(FEB)
    txn = pay(loan, "100500.00", FEB)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAID_OFF

    payment_reverse(transaction_id=txn.pk, reason="returned by the bank", actor=None)

    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.paid_off_on is None
    assert_books_consistent(loan)


def test_reversing_a_prepayment_brings_the_old_schedule_back():
    loan = make_loan()
    set_business_date(MAR)
    pay(loan, "8606.64", FEB)
    pre = prepayment_post(loan_id=loan.pk, amount=D("30000.00"), value_date=FEB, actor=None)
    loan.refresh_from_db()
    assert loan.schedule_version == 2

    payment_reverse(transaction_id=pre.pk, reason="customer changed their mind", actor=None)

    loan.refresh_from_db()
    assert loan.schedule_version == 1 and loan.principal_outstanding == D("91893.36")
    assert_books_consistent(loan)


def test_a_prepayment_with_later_postings_and_a_payment_before_a_reschedule_are_not_reversible():
    loan = make_loan()
    set_business_date(MAR)
    early = pay(loan, "8606.64", FEB)
    pre = prepayment_post(loan_id=loan.pk, amount=D("30000.00"), value_date=FEB, actor=None)
    pay(loan, "100.00", MAR)

    with pytest.raises(ReversalRefused):
        payment_reverse(transaction_id=pre.pk, reason="x", actor=None)
    with pytest.raises(ReversalRefused):
        payment_reverse(transaction_id=early.pk, reason="x", actor=None)


def test_a_payment_whose_advance_was_used_is_not_reversible_until_the_use_is():
    loan = make_loan()
    set_business_date(FEB)
    txn = pay(loan, "10000.00", FEB)
    set_business_date(MAR)
    used = advance_apply(loan_id=loan.pk, as_of=MAR)

    with pytest.raises(ReversalRefused):
        payment_reverse(transaction_id=txn.pk, reason="x", actor=None)
    payment_reverse(transaction_id=used.pk, reason="applied too early", actor=None)
    payment_reverse(transaction_id=txn.pk, reason="bounced", actor=None)

    loan.refresh_from_db()
    assert loan.advance_balance == D("0.00") and loan.principal_outstanding == D("100000.00")
    assert_books_consistent(loan)
