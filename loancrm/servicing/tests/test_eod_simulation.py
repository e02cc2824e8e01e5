"""Many simulated days over a small book: payments on time, late, short, early, back-dated, a prepayment and a
reversal between end-of-day runs; the books stay consistent, a second run per day changes nothing, and the figures
are the same on SQLite and PostgreSQL (the fingerprint below is asserted on both)."""

import datetime as dt
import hashlib
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from loancrm.core.business_date import current_business_date
from loancrm.loans.models import Installment, Loan
from loancrm.loans.services import payment_post, payment_reverse, prepayment_post
from loancrm.loans.tests.factories import make_loan
from loancrm.loans.tests.invariants import assert_books_consistent
from loancrm.servicing.services import eod_run
from loancrm.servicing.tests.support import assert_ledger_clean, state

pytestmark = pytest.mark.django_db
D = Decimal
START = dt.date(2026, 1, 15)


def _book():
    terms = [
        ("equal_installment", D("100000.00"), D("0.06"), 12),
        ("equal_principal", D("36000.00"), D("0.072"), 6),
        ("interest_only", D("50000.00"), D("0.0435"), 6),
        ("equal_installment", D("8000.00"), D("0.18"), 3),
        ("equal_installment", D("20000.00"), D("0.099"), 12),
        ("equal_principal", D("12000.00"), D("0.12"), 12),
    ]
    return [make_loan(method=m, principal=p, annual_rate=r, term_months=n) for m, p, r, n in terms]


def _owed(loan, day):
    rows = Installment.objects.filter(loan=loan, version=loan.schedule_version, due_date__lte=day).exclude(
        status="paid"
    )
    return sum((r.principal_due + r.interest_due + r.penalty_due - r.principal_paid - r.interest_paid
                - r.penalty_paid for r in rows), D("0"))  # fmt: skip


def _simulate(days, *, twice=False):
    loans = _book()
    chance = random.Random(20260115)
    reversible = []
    for _n in range(days):
        today = current_business_date()
        for index, loan in enumerate(loans):
            loan.refresh_from_db()
            if loan.status not in ("active", "overdue"):
                continue
            owed = _owed(loan, today)
            roll = chance.random()
            if owed and roll < 0.08 + 0.1 * (index % 3):
                back = chance.choice([0, 0, 1, 3])
                amount = max(D("1.00"), (owed * D(chance.choice(["1", "1", "0.5", "1.2"]))).quantize(D("0.01")))
                txn = payment_post(loan_id=loan.pk, amount=amount, value_date=today - dt.timedelta(days=back),
                                   actor=None)  # fmt: skip
                reversible.append(txn.pk)
        if today == dt.date(2026, 3, 20):
            prepayment_post(loan_id=loans[4].pk, amount=D("5000.00"), value_date=today, actor=None)
        if today == dt.date(2026, 4, 2) and reversible:
            payment_reverse(transaction_id=reversible[-1], reason="bounced", actor=None)
        eod_run()
        if twice:
            before = state()
            assert eod_run(business_date=today).already_done
            assert state() == before
    return loans


def _fingerprint():
    found = state()
    order = {c: n for n, c in enumerate(Loan.objects.order_by("pk").values_list("contract_no", flat=True))}

    def plain(item):
        return tuple(order.get(v, v) if isinstance(v, str) else (str(v) if v is not None else "") for v in item)

    text = repr([[plain(item) for item in found[key]] for key in ("loans", "rows", "changes", "lines")])
    return hashlib.sha256(text.encode()).hexdigest()[:16], found


def test_ninety_days_books_consistent_twice_a_day_and_the_same_on_both_databases():
    loans = _simulate(90, twice=True)
    for loan in loans:
        assert_books_consistent(loan)
    assert_ledger_clean()
    call_command("ledger_check")
    digest, found = _fingerprint()
    assert found["date"] == START + dt.timedelta(days=90)
    assert any(change[3] != "M0" for change in found["changes"])
    assert any(row[5] > 0 for row in found["rows"])  # some penalty was charged
    assert digest == "5f3b5451cc2487d9", digest
