"""Booking loans: the schedule rows, the booking entry, refusals that write nothing, migrated history."""

import datetime as dt
from decimal import Decimal

import pytest

from loancrm.core.models import AuditEvent
from loancrm.ledger.choices import Acct
from loancrm.ledger.models import JournalLine
from loancrm.loans.choices import InstallmentStatus, Origin, TxnKind
from loancrm.loans.errors import ContractExists, FutureValueDate, InvalidTerms
from loancrm.loans.models import Installment, Loan, LoanTransaction
from loancrm.loans.services import HistoricPayment, loan_book
from loancrm.loans.tests.factories import make_customer, make_loan, make_terms, set_business_date
from loancrm.loans.tests.invariants import assert_books_consistent, trial_balance

pytestmark = pytest.mark.django_db


def test_a_disbursed_loan_gets_its_schedule_and_a_balanced_booking_entry():
    loan = make_loan()

    rows = list(Installment.objects.filter(loan=loan).order_by("period"))
    assert [r.principal_due + r.interest_due for r in rows] == [Decimal("8606.64")] * 11 + [Decimal("8606.69")]
    assert rows[0].due_date == dt.date(2026, 2, 15) and rows[-1].due_date == dt.date(2027, 1, 15)
    assert loan.maturity_date == dt.date(2027, 1, 15)
    assert loan.principal_outstanding == Decimal("100000.00")
    lines = {(line.account.code, line.debit, line.credit) for line in JournalLine.objects.filter(loan=loan)}
    assert lines == {
        (Acct.PRINCIPAL, Decimal("100000.00"), Decimal("0.00")),
        (Acct.DISBURSEMENT, Decimal("0.00"), Decimal("100000.00")),
    }
    assert LoanTransaction.objects.get(loan=loan).kind == TxnKind.DISBURSEMENT
    assert AuditEvent.objects.filter(action="loan.booked", target_id=str(loan.pk)).count() == 1
    assert_books_consistent(loan)


def test_a_contract_number_books_once_and_the_refusal_writes_nothing():
    loan = make_loan(contract_no="HT-DUP-1")
    before = (Loan.objects.count(), Installment.objects.count(), JournalLine.objects.count())

    with pytest.raises(ContractExists):
        make_loan(contract_no="HT-DUP-1", customer=loan.customer)

    assert (Loan.objects.count(), Installment.objects.count(), JournalLine.objects.count()) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"principal": Decimal("0.00")}, "principal"),
        ({"principal": Decimal("-5.00")}, "principal"),
        ({"principal": Decimal("100.005")}, "principal"),
        ({"annual_rate": Decimal("1.5")}, "annual_rate"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": 601}, "term_months"),
        ({"method": "balloon"}, "method"),
        ({"contract_no": " "}, "contract_no"),
        ({"allocation_order": "principal,interest"}, "allocation_order"),
    ],
)
def test_invalid_terms_are_refused_naming_the_field(overrides, field):
    set_business_date(dt.date(2026, 6, 1))
    with pytest.raises(InvalidTerms) as refused:
        loan_book(customer=make_customer(), terms=make_terms(**overrides), actor=None)
    assert field in refused.value.fields
    assert not Loan.objects.exists()


def test_a_loan_cannot_start_after_the_business_date():
    set_business_date(dt.date(2026, 1, 1))
    with pytest.raises(FutureValueDate):
        loan_book(customer=make_customer(), terms=make_terms(start_date=dt.date(2026, 1, 15)), actor=None)
    assert not Loan.objects.exists()


def test_a_migrated_loan_replays_its_repayments_through_the_waterfall_without_income():
    set_business_date(dt.date(2026, 5, 1))
    history = [HistoricPayment(dt.date(2026, 2, 15) + dt.timedelta(days=0), Decimal("8606.64"))]
    history += [HistoricPayment(dt.date(2026, 3, 15), Decimal("8606.64"))]
    history += [HistoricPayment(dt.date(2026, 4, 15), Decimal("8606.64"))]

    loan = loan_book(customer=make_customer(), terms=make_terms(), actor=None, origin=Origin.MIGRATED, history=history)

    loan.refresh_from_db()
    assert loan.principal_outstanding == Decimal("75558.28")
    paid = Installment.objects.filter(loan=loan, status=InstallmentStatus.PAID).values_list("period", flat=True)
    assert sorted(paid) == [1, 2, 3]
    income = JournalLine.objects.filter(loan=loan, account__code=Acct.INTEREST_INCOME)
    assert not income.exists()
    migration = JournalLine.objects.filter(loan=loan, account__code=Acct.MIGRATION)
    net = sum((line.credit - line.debit for line in migration), Decimal("0.00"))
    assert net == Decimal("75558.28")
    assert_books_consistent(loan)
    assert trial_balance() == 0


def test_history_is_only_for_migrated_loans():
    set_business_date(dt.date(2026, 5, 1))
    with pytest.raises(InvalidTerms):
        loan_book(
            customer=make_customer(),
            terms=make_terms(),
            actor=None,
            history=[HistoricPayment(dt.date(2026, 2, 15), Decimal("1.00"))],
        )
    assert not Loan.objects.exists()
