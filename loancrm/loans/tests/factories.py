"""Loans for tests: a customer and a booked loan with the reference terms (100,000 / 12 months / 6 %)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from loancrm.core.models import BusinessDate
from loancrm.customers.models import Customer
from loancrm.loans.models import Loan
from loancrm.loans.services import LoanTerms, loan_book

_numbers = itertools.count(1)
REFERENCE_START = dt.date(2026, 1, 15)


def set_business_date(day: dt.date) -> None:
    BusinessDate.objects.update_or_create(singleton=1, defaults={"current": day})


def make_customer(owner: Any = None, **extra: Any) -> Customer:
    return Customer.objects.create(
        name=extra.pop("name", "李四"), owner=owner, org_unit=getattr(owner, "org_unit", None), **extra
    )


def make_terms(**overrides: Any) -> LoanTerms:
    values: dict[str, Any] = {
        "contract_no": f"HT{next(_numbers):08d}",
        "product_code": "CONSUMER",
        "principal": Decimal("100000.00"),
        "annual_rate": Decimal("0.06"),
        "term_months": 12,
        "method": "equal_installment",
        "start_date": REFERENCE_START,
    }
    values.update(overrides)
    return LoanTerms(**values)


def make_loan(customer: Customer | None = None, actor: Any = None, **overrides: Any) -> Loan:
    """A booked loan; sets the business date to the start date when it is earlier (bookings cannot be future)."""
    terms = make_terms(**overrides)
    row = BusinessDate.objects.filter(singleton=1).first()
    if row is None or row.current < terms.start_date:
        set_business_date(terms.start_date)
    return loan_book(customer=customer or make_customer(), terms=terms, actor=actor)
