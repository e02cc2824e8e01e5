"""Payoff quotes, payoff and partial prepayment: the reference figures, the kept history, refusals."""

import datetime as dt
from decimal import Decimal

import pytest

from loancrm.loans.choices import LoanStatus, TxnKind
from loancrm.loans.errors import PrepaymentRefused
from loancrm.loans.models import Installment, LoanTransaction
from loancrm.loans.services import payment_post, payoff_quote, prepayment_post
from loancrm.loans.tests.factories import make_loan, set_business_date
from loancrm.loans.tests.invariants import assert_books_consistent, trial_balance

pytestmark = pytest.mark.django_db
D = Decimal
DUE = [dt.date(2026, 2, 15), dt.date(2026, 3, 15), dt.date(2026, 4, 15)]


@pytest.fixture
def after_period_3():
    loan = make_loan()
    set_business_date(DUE[2])
    for day in DUE:
        payment_post(loan_id=loan.pk, amount=D("8606.64"), value_date=day, actor=None)
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("75558.28")
    return loan


def current(loan):
    loan.refresh_from_db()
    return list(Installment.objects.filter(loan=loan, version=loan.schedule_version).order_by("period"))


def test_keeping_the_term_lowers_the_instalment_to_the_reference_figure(after_period_3):
    loan = after_period_3
    prepayment_post(loan_id=loan.pk, amount=D("30000.00"), value_date=DUE[2], actor=None, keep="term")

    rows = current(loan)
    ahead = [r for r in rows if r.period > 4]
    assert [r.principal_due + r.interest_due for r in ahead[:-1]] == [D("5189.42")] * 7
    assert len([r for r in rows if r.period >= 4]) == 9
    assert rows[3].principal_paid == D("30000.00") and rows[3].principal_due + rows[3].interest_due == D("35189.42")
    assert loan.principal_outstanding == D("45558.28") and loan.schedule_version == 2
    assert Installment.objects.filter(loan=loan, version=1).count() == 12  # the old schedule is kept
    assert_books_consistent(loan)


def test_keeping_the_instalment_shortens_the_term_to_six_periods(after_period_3):
    loan = after_period_3
    prepayment_post(loan_id=loan.pk, amount=D("30000.00"), value_date=DUE[2], actor=None, keep="payment")

    ahead = [r for r in current(loan) if r.period >= 4]
    assert len(ahead) == 6
    assert [r.principal_due + r.interest_due for r in ahead[1:-1]] == [D("8606.64")] * 4
    assert loan.maturity_date == dt.date(2026, 10, 15)
    assert_books_consistent(loan)


def test_a_payoff_quote_charges_interest_to_date_for_the_days_elapsed(after_period_3):
    loan = after_period_3
    set_business_date(dt.date(2026, 5, 1))

    quote = payoff_quote(loan=loan, as_of=dt.date(2026, 5, 1))

    # period 4 runs 2026-04-15 → 05-15 (30 days), scheduled interest 377.79; 16 days elapsed
    assert quote.interest_to_date == D("201.49")
    assert quote.principal == D("75558.28") and quote.total == D("75759.77")


def test_a_payoff_closes_the_loan_and_an_overpayment_is_held(after_period_3):
    loan = after_period_3
    set_business_date(dt.date(2026, 5, 1))
    quote = payoff_quote(loan=loan, as_of=dt.date(2026, 5, 1))

    txn = prepayment_post(
        loan_id=loan.pk, amount=quote.total + D("5.00"), value_date=dt.date(2026, 5, 1), actor=None, payoff=True
    )

    loan.refresh_from_db()
    assert txn.kind == TxnKind.PAYOFF
    assert loan.status == LoanStatus.PAID_OFF and loan.principal_outstanding == D("0.00")
    assert loan.advance_balance == D("5.00") and loan.maturity_date == dt.date(2026, 5, 1)
    assert_books_consistent(loan)
    assert trial_balance() == 0


def test_a_short_payoff_is_refused_with_the_amount_and_writes_nothing(after_period_3):
    loan = after_period_3
    count = LoanTransaction.objects.count()
    with pytest.raises(PrepaymentRefused) as refused:
        prepayment_post(loan_id=loan.pk, amount=D("75000.00"), value_date=DUE[2], actor=None, payoff=True)
    assert refused.value.fields["amount"] == ["75558.28"]
    assert LoanTransaction.objects.count() == count and current(loan)[0].version == 1


def test_a_partial_prepayment_must_leave_principal_and_cover_what_is_overdue():
    loan = make_loan()
    set_business_date(dt.date(2026, 3, 1))
    with pytest.raises(PrepaymentRefused):  # 8,606.64 overdue since 15 Feb, plus interest to date
        prepayment_post(loan_id=loan.pk, amount=D("8000.00"), value_date=dt.date(2026, 3, 1), actor=None)
    with pytest.raises(PrepaymentRefused):
        prepayment_post(loan_id=loan.pk, amount=D("200000.00"), value_date=dt.date(2026, 3, 1), actor=None)

    prepayment_post(loan_id=loan.pk, amount=D("20000.00"), value_date=dt.date(2026, 3, 1), actor=None)

    rows = current(loan)
    assert rows[0].status == "paid"
    assert loan.schedule_version == 2
    assert_books_consistent(loan)


def test_a_prepayment_can_use_the_advance_held(after_period_3):
    loan = after_period_3
    payment_post(loan_id=loan.pk, amount=D("9000.00"), value_date=DUE[2], actor=None)  # pays period 4, 393.36 held
    loan.refresh_from_db()
    assert loan.advance_balance == D("393.36")

    prepayment_post(loan_id=loan.pk, amount=D("10000.00"), value_date=DUE[2], actor=None, keep="term", use_advance=True)

    loan.refresh_from_db()
    assert loan.advance_balance == D("0.00")
    assert loan.principal_outstanding == D("75558.28") - D("8228.85") - D("10393.36")
    assert_books_consistent(loan)


@pytest.mark.parametrize("method", ["equal_principal", "interest_only", "bullet"])
def test_every_method_can_be_prepaid_and_paid_off(method):
    loan = make_loan(method=method, term_months=6)
    set_business_date(dt.date(2026, 3, 1))
    prepayment_post(loan_id=loan.pk, amount=D("40000.00"), value_date=dt.date(2026, 1, 20), actor=None)
    quote = payoff_quote(loan=current(loan)[0].loan, as_of=dt.date(2026, 3, 1))
    prepayment_post(loan_id=loan.pk, amount=quote.total, value_date=dt.date(2026, 3, 1), actor=None, payoff=True)

    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAID_OFF
    assert_books_consistent(loan)
