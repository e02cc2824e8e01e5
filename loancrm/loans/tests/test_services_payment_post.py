"""Posting repayments: the waterfall on real rows, advance, status moves, the journal, refusals."""

import datetime as dt
from decimal import Decimal

import pytest

from loancrm.core.models import AuditEvent
from loancrm.ledger.choices import Acct, PeriodStatus
from loancrm.ledger.models import AccountingPeriod, JournalEntry, JournalLine
from loancrm.loans.choices import InstallmentStatus, LoanStatus
from loancrm.loans.errors import FutureValueDate, InvalidAmount, LoanNotOpen
from loancrm.loans.models import Installment, Loan, LoanTransaction, TransactionPart
from loancrm.loans.services import advance_apply, payment_post
from loancrm.loans.tests.factories import make_loan, set_business_date
from loancrm.loans.tests.invariants import assert_books_consistent, trial_balance

pytestmark = pytest.mark.django_db
D = Decimal


def rows(loan):
    return list(Installment.objects.filter(loan=loan, version=loan.schedule_version).order_by("period"))


def pay(loan, amount, day):
    return payment_post(loan_id=loan.pk, amount=D(amount), value_date=day, actor=None)


@pytest.mark.parametrize(
    ("amount", "day", "split", "advance", "paid_periods"),
    [
        # on the due date: exactly the first instalment
        ("8606.64", dt.date(2026, 2, 15), {"interest": "500.00", "principal": "8106.64"}, "0.00", [1]),
        # a few days early: still the current (first) instalment
        ("8606.64", dt.date(2026, 2, 10), {"interest": "500.00", "principal": "8106.64"}, "0.00", [1]),
        # short: interest first, then part of the principal
        ("600.00", dt.date(2026, 2, 15), {"interest": "500.00", "principal": "100.00"}, "0.00", []),
        # more than due: the rest is held as advance for the next due date
        ("10000.00", dt.date(2026, 2, 15), {"interest": "500.00", "principal": "8106.64"}, "1393.36", [1]),
        # two periods late: both overdue instalments oldest first, then the current one
        (
            "20000.00",
            dt.date(2026, 4, 1),
            {"interest": "1378.20", "principal": "18621.80"},
            "0.00",
            [1, 2],
        ),
    ],
)
def test_the_waterfall_on_the_reference_loan(amount, day, split, advance, paid_periods):
    loan = make_loan()
    set_business_date(dt.date(2026, 4, 1))

    txn = pay(loan, amount, day)

    assert txn.interest == D(split["interest"]) and txn.principal == D(split["principal"])
    assert txn.advance == D(advance)
    assert [r.period for r in rows(loan) if r.status == InstallmentStatus.PAID] == paid_periods
    assert_books_consistent(loan)
    assert trial_balance() == 0


def test_a_payment_posts_clearing_against_the_receivables_and_recognises_interest_paid_before_accrual():
    loan = make_loan()
    set_business_date(dt.date(2026, 2, 15))

    txn = pay(loan, "8606.64", dt.date(2026, 2, 15))

    lines = sorted(
        (line.account.code, line.debit, line.credit) for line in JournalLine.objects.filter(entry=txn.journal_entry)
    )
    assert lines == sorted(
        [
            (Acct.SUSPENSE, D("8606.64"), D("0")),
            (Acct.PRINCIPAL, D("0"), D("8106.64")),
            (Acct.INTEREST, D("0"), D("500.00")),
            (Acct.INTEREST, D("500.00"), D("0")),
            (Acct.INTEREST_INCOME, D("0"), D("500.00")),
        ]
    )
    first = rows(loan)[0]
    assert first.interest_accrued == first.interest_paid == D("500.00") and first.paid_on == dt.date(2026, 2, 15)
    assert set(TransactionPart.objects.filter(transaction=txn).values_list("component", "amount")) == {
        ("interest", D("500.00")),
        ("principal", D("8106.64")),
        ("accrued", D("500.00")),
    }
    event = AuditEvent.objects.get(action="payment.posted", target_id=str(loan.pk))
    assert event.data["amount"] == "8606.64"


def test_paying_everything_pays_the_loan_off_and_a_payment_clears_overdue_status():
    loan = make_loan()
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.OVERDUE)
    set_business_date(dt.date(2027, 1, 15))

    pay(loan, "50000.00", dt.date(2026, 8, 20))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE  # periods 7-12 still unpaid, 7-11 past due
    pay(loan, "60000.00", dt.date(2027, 1, 15))

    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAID_OFF and loan.paid_off_on == dt.date(2027, 1, 15)
    assert loan.principal_outstanding == D("0.00")
    assert loan.advance_balance == D("110000.00") - D("103279.73")
    assert_books_consistent(loan)


def test_advance_is_applied_when_the_next_instalment_falls_due():
    loan = make_loan()
    set_business_date(dt.date(2026, 2, 15))
    pay(loan, "10000.00", dt.date(2026, 2, 15))
    set_business_date(dt.date(2026, 3, 15))

    txn = advance_apply(loan_id=loan.pk, as_of=dt.date(2026, 3, 15))

    assert txn is not None and txn.amount == D("1393.36") and txn.advance == D("-1393.36")
    loan.refresh_from_db()
    assert loan.advance_balance == D("0.00")
    assert rows(loan)[1].interest_paid == D("459.47") and rows(loan)[1].principal_paid == D("933.89")
    assert advance_apply(loan_id=loan.pk, as_of=dt.date(2026, 3, 15)) is None
    assert_books_consistent(loan)


@pytest.mark.parametrize("amount", ["0", "-1.00", "1.001", "abc", ""])
def test_bad_amounts_are_refused_and_nothing_is_written(amount):
    loan = make_loan()
    before = (LoanTransaction.objects.count(), JournalEntry.objects.count())
    with pytest.raises(InvalidAmount):
        payment_post(loan_id=loan.pk, amount=amount, value_date=dt.date(2026, 1, 15), actor=None)
    assert (LoanTransaction.objects.count(), JournalEntry.objects.count()) == before


def test_future_value_dates_and_closed_loans_are_refused():
    loan = make_loan()
    with pytest.raises(FutureValueDate):
        pay(loan, "1.00", dt.date(2026, 1, 16))
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.WRITTEN_OFF)
    with pytest.raises(LoanNotOpen):
        pay(loan, "1.00", dt.date(2026, 1, 15))
    assert LoanTransaction.objects.filter(loan=loan).count() == 1


def test_a_payment_dated_in_a_closed_period_is_booked_on_the_business_date():
    loan = make_loan()
    set_business_date(dt.date(2026, 3, 2))
    AccountingPeriod.objects.create(start=dt.date(2026, 2, 1), status=PeriodStatus.CLOSED)

    txn = pay(loan, "8606.64", dt.date(2026, 2, 15))

    assert txn.value_date == dt.date(2026, 2, 15)
    assert txn.journal_entry.entry_date == dt.date(2026, 3, 2)
    assert rows(loan)[0].paid_on == dt.date(2026, 2, 15)
