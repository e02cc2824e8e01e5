"""A value date in an open month before the latest closed one is booked on the business date (books are closed
through the latest closed month), on both databases and both posting paths."""

import datetime as dt
from decimal import Decimal

import pytest

from loancrm.ledger.choices import PeriodStatus
from loancrm.ledger.models import AccountingPeriod
from loancrm.loans.services import payment_post
from loancrm.loans.tests.factories import make_loan, set_business_date

pytestmark = pytest.mark.django_db


def test_a_payment_valued_in_a_month_the_books_are_closed_through_moves_to_the_business_date():
    loan = make_loan()
    set_business_date(dt.date(2026, 4, 2))
    AccountingPeriod.objects.create(start=dt.date(2026, 3, 1), status=PeriodStatus.CLOSED)

    txn = payment_post(loan_id=loan.pk, amount=Decimal("8606.64"), value_date=dt.date(2026, 2, 15), actor=None)

    txn.refresh_from_db()
    assert txn.value_date == dt.date(2026, 2, 15)
    assert txn.journal_entry.entry_date == dt.date(2026, 4, 2)
