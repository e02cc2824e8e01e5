"""Property test: any sequence of repayments, prepayments, payoffs, advance uses and reversals keeps the books
balanced, the principal equal to its sub-ledger, nothing negative and every allocation exact."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loancrm.core.errors import DomainError
from loancrm.loans.choices import TxnKind, TxnStatus
from loancrm.loans.models import LoanTransaction
from loancrm.loans.services import advance_apply, payment_post, payment_reverse, payoff_quote, prepayment_post
from loancrm.loans.tests.factories import make_loan, set_business_date
from loancrm.loans.tests.invariants import assert_books_consistent, trial_balance

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("40000.00"), places=2)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("repay"), amounts, st.integers(0, 45), st.integers(0, 5)),
        st.tuples(st.just("prepay"), amounts, st.integers(0, 45), st.sampled_from(["term", "payment"])),
        st.tuples(st.just("payoff"), st.just(Decimal("0")), st.integers(0, 45), st.integers(0, 3)),
        st.tuples(st.just("advance"), st.just(Decimal("0")), st.integers(0, 45), st.just(0)),
        st.tuples(st.just("reverse"), st.just(Decimal("0")), st.integers(0, 10), st.integers(0, 8)),
    ),
    min_size=1,
    max_size=10,
)
terms = st.tuples(
    st.sampled_from(["equal_installment", "equal_principal", "interest_only", "bullet"]),
    st.integers(1, 24),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("0.24"), places=4),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=terms, steps=steps)
def test_any_sequence_keeps_the_books_consistent(terms, steps):
    method, term, rate = terms
    loan = make_loan(method=method, term_months=term, annual_rate=rate, principal=Decimal("50000.00"))
    today = loan.start_date
    for action, amount, days, extra in steps:
        today += dt.timedelta(days=days)
        set_business_date(today)
        value_date = max(today - dt.timedelta(days=extra if action == "repay" else 0), loan.start_date)
        try:
            if action == "repay":
                payment_post(loan_id=loan.pk, amount=amount, value_date=value_date, actor=None)
            elif action == "prepay":
                prepayment_post(loan_id=loan.pk, amount=amount, value_date=value_date, actor=None, keep=extra)
            elif action == "payoff":
                loan.refresh_from_db()
                total = payoff_quote(loan=loan, as_of=value_date).total + Decimal(extra)
                if total > 0:
                    prepayment_post(loan_id=loan.pk, amount=total, value_date=value_date, actor=None, payoff=True)
            elif action == "advance":
                advance_apply(loan_id=loan.pk, as_of=today)
            else:
                posted = list(
                    LoanTransaction.objects.filter(loan=loan, status=TxnStatus.POSTED)
                    .exclude(kind__in=[TxnKind.DISBURSEMENT, TxnKind.REVERSAL])
                    .order_by("-id")
                )
                if posted:
                    payment_reverse(transaction_id=posted[extra % len(posted)].pk, reason="property", actor=None)
        except DomainError:
            pass
        assert_books_consistent(loan)
    assert trial_balance() == 0
