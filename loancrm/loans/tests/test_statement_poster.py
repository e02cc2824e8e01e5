"""The bulk bank-file poster produces exactly what ``payment_post`` per line in file order produces."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.jobs.runner import execute_run
from loancrm.loans.choices import LoanStatus, MatchResult, Source
from loancrm.loans.errors import LoanNotOpen
from loancrm.loans.models import Installment, Loan, StatementImport, StatementLine
from loancrm.loans.services import payment_post
from loancrm.loans.statements import services
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date
from loancrm.loans.tests.statement_factories import (
    csv_file,
    day,
    entries_balanced,
    ledger_balanced,
    loan_picture,
    make_channel,
)

pytestmark = pytest.mark.django_db

BUSINESS_DATE = day("2026-06-20")
LOANS = [
    {},
    {"method": "equal_principal", "allocation_order": "penalty,interest,principal,fee"},
    {"method": "interest_only"},
    {"method": "bullet"},
    {"principal": Decimal("50000.00"), "term_months": 24},
    {"principal": Decimal("3000.00"), "term_months": 3},
    {"principal": Decimal("8000.00")},
    {"principal": Decimal("6000.00")},
]
# (loan index, amount, value date) in file order
PAYMENTS = [
    (0, "8606.64", "2026-02-15"),
    (1, "5000.00", "2026-03-20"),
    (0, "20000.00", "2026-06-18"),
    (4, "1234.56", "2026-06-19"),
    (2, "100.00", "2026-06-01"),
    (3, "999.99", "2026-06-20"),
    (5, "5000.00", "2026-06-20"),
    (5, "100.00", "2026-06-20"),
    (4, "50000.00", "2026-06-20"),
    (6, "100.00", "2026-06-20"),
    (0, "0.01", "2026-06-20"),
    (1, "3000.00", "2026-06-20"),
    (7, "1500.00", "2026-06-20"),
    (7, "800.00", "2026-04-01"),
]


def _book_set(operator):
    loans = [make_loan(make_customer(), actor=operator, **terms) for terms in LOANS]
    # the same servicing history on both sets: fees and penalties on overdue rows, an overdue and a written-off loan
    Installment.objects.filter(loan=loans[4], period__in=(1, 2)).update(fee_due=Decimal("15.00"),
                                                                        penalty_due=Decimal("7.25"))  # fmt: skip
    Installment.objects.filter(loan=loans[4], period__lte=5).update(status="overdue")
    Loan.objects.filter(pk=loans[4].pk).update(status=LoanStatus.OVERDUE)
    Installment.objects.filter(loan=loans[1], period=1).update(fee_due=Decimal("30.00"))
    Loan.objects.filter(pk=loans[6].pk).update(status=LoanStatus.WRITTEN_OFF)
    Installment.objects.filter(loan=loans[7], period=10).update(due_date=day("2026-03-01"))  # out of period order
    return loans


@pytest.fixture
def operator(org):
    return make_user("ops1", role="operations", unit=org.hq)


@pytest.fixture
def channel():
    return make_channel("ICBC")


def _post_singly(loans, channel, operator):
    for number, (index, amount, value_date) in enumerate(PAYMENTS, start=2):
        with contextlib.suppress(LoanNotOpen):
            payment_post(loan_id=loans[index].pk, amount=Decimal(amount), value_date=day(value_date), actor=operator,
                         source=Source.BANK_FILE, channel=channel, reference=f"TX{number:04d}")  # fmt: skip


def _post_file(loans, channel, operator, chunk_size, prefix="B"):
    rows = [[f"{prefix}{number:04d}", loans[index].contract_no, amount, value_date, "还款"]
            for number, (index, amount, value_date) in enumerate(PAYMENTS, start=2)]  # fmt: skip
    statement = services.statement_upload(actor=operator, upload=csv_file(rows), channel_id=channel.pk)
    statement = services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "CHUNK_SIZE", chunk_size)
        assert execute_run(statement.job_run_id) == "succeeded"
    return StatementImport.objects.get(pk=statement.pk)


@pytest.mark.parametrize("chunk_size", [2, 5, 5000])
def test_bulk_posting_equals_payment_post_line_by_line(operator, channel, chunk_size, settings, tmp_path):
    # given two identical loan sets and one statement of payments
    settings.MEDIA_ROOT = tmp_path
    single, bulk = _book_set(operator), _book_set(operator)
    set_business_date(BUSINESS_DATE)
    # when the payments go through payment_post for one set and through the bank file for the other
    _post_singly(single, channel, operator)
    statement = _post_file(bulk, channel, operator, chunk_size)
    # then every loan looks the same, field by field
    references = {f"B{n:04d}": f"TX{n:04d}" for n in range(2, len(PAYMENTS) + 2)}
    for one, other in zip(single, bulk, strict=True):
        assert loan_picture(other.pk, reference_map=references) == loan_picture(one.pk)
    assert statement.status == "done"
    assert (statement.matched, statement.unmatched, statement.duplicates, statement.invalid) == (12, 2, 0, 0)
    assert statement.amount_posted == sum(Decimal(a) for i, a, _d in PAYMENTS if i != 6) - Decimal("100.00")
    debit, credit = ledger_balanced()
    assert debit == credit
    assert entries_balanced()
    notes = dict(StatementLine.objects.filter(statement=statement, result=MatchResult.UNMATCHED)
                 .values_list("line_no", "note"))  # fmt: skip
    assert notes == {9: "loan_not_open:paid_off", 11: "loan_not_open:written_off"}


def test_back_dated_lines_pay_the_penalty_of_their_value_date_as_payment_post_does(operator, channel, settings,
                                                                                    tmp_path):  # fmt: skip
    from loancrm.servicing.tests.support import run_until

    # given two reference loans whose first instalment the end of day has charged 13 days of penalty (27.98)
    settings.MEDIA_ROOT = tmp_path
    single, bulk = make_loan(make_customer(), actor=operator), make_loan(make_customer(), actor=operator)
    run_until(day("2026-02-27"))
    assert Installment.objects.get(loan=bulk, period=1).penalty_due == Decimal("27.98")
    # when on 28 Feb two payments valued 20 and 25 Feb arrive, singly for one loan and in a bank file for the other
    payments = [("4000.00", "2026-02-20"), ("5000.00", "2026-02-25")]
    for number, (amount, value_date) in enumerate(payments, start=2):
        payment_post(loan_id=single.pk, amount=Decimal(amount), value_date=day(value_date), actor=operator,
                     source=Source.BANK_FILE, channel=channel, reference=f"TX{number:04d}")  # fmt: skip
    rows = [[f"B{number:04d}", bulk.contract_no, amount, value_date, "还款"]
            for number, (amount, value_date) in enumerate(payments, start=2)]  # fmt: skip
    statement = services.statement_upload(actor=operator, upload=csv_file(rows), channel_id=channel.pk)
    statement = services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
    assert execute_run(statement.job_run_id) == "succeeded"
    # then both paid the penalty owed on each value date (5 days, then the rest to 10 days), not the 13 charged
    references = {"B0002": "TX0002", "B0003": "TX0003"}
    assert loan_picture(bulk.pk, reference_map=references) == loan_picture(single.pk)
    first = Installment.objects.get(loan=bulk, period=1)
    assert first.penalty_paid < Decimal("27.98") and first.penalty_paid == Installment.objects.get(
        loan=single, period=1).penalty_paid  # fmt: skip
