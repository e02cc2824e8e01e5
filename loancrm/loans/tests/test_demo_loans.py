"""The demo loans: seeded into an empty database (customers made here, as the customers demo would), every entry
balances, each loan's ledger balances are its own figures, every servicing case is there, a rerun adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.core.money import ZERO
from loancrm.customers.models import Customer
from loancrm.ledger.choices import Acct
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.loans import demo
from loancrm.loans.models import Installment, Loan, LoanTransaction, PaymentChannel
from loancrm.loans.tests.factories import set_business_date

pytestmark = pytest.mark.django_db
BUSINESS_DATE = dt.date(2026, 12, 1)


@pytest.fixture
def seeded(org):
    agents = [make_user(f"demo_agent{i}", role="sales_agent", unit=org.bj_team1) for i in range(3)]
    for i in range(36):
        Customer.objects.create(name=f"客户{i}", owner=agents[i % 3], org_unit=org.bj_team1)
    for i in range(4):
        Customer.objects.create(name=f"公司{i}", kind="corporate", owner=agents[0], org_unit=org.bj_team1)
    make_user("ops", role="operations", unit=org.hq)
    set_business_date(BUSINESS_DATE)
    demo.seed()


def _balances() -> dict[tuple[int, str], Decimal]:
    """(loan, account code) → debit − credit, summed in Python so the figures are exact on every database."""
    sums: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for loan_id, code, debit, credit in JournalLine.objects.values_list("loan_id", "account__code", "debit", "credit"):
        sums[(loan_id, code)] += debit - credit
    return sums


def test_demo_journal_balances_and_matches_every_loan(seeded):
    # every entry balances, and so the whole journal
    per_entry: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for entry_id, debit, credit in JournalLine.objects.values_list("entry_id", "debit", "credit"):
        per_entry[entry_id] += debit - credit
    assert len(per_entry) == JournalEntry.objects.count() > 200
    assert set(per_entry.values()) == {ZERO}
    # each loan's principal receivable is its principal outstanding and its current schedule's open principal;
    # its advance account holds its advance
    balances = _balances()
    loans = list(Loan.objects.all())
    assert len(loans) == demo.DEMO_LOANS
    for loan in loans:
        rows = Installment.objects.filter(loan=loan, version=loan.schedule_version)
        open_principal = sum((r.principal_due - r.principal_paid for r in rows), ZERO)
        assert balances[(loan.pk, Acct.PRINCIPAL)] == loan.principal_outstanding == open_principal, loan.contract_no
        assert -balances.get((loan.pk, Acct.ADVANCE), ZERO) == loan.advance_balance, loan.contract_no
        assert sum((r.principal_due for r in rows), ZERO) == loan.principal, loan.contract_no


def test_demo_has_every_servicing_case(seeded):
    loans = Loan.objects.all()
    assert {loan.method for loan in loans} == {"equal_installment", "equal_principal", "interest_only", "bullet"}
    assert loans.filter(origin="migrated").count() == 6
    payoff = LoanTransaction.objects.get(kind="payoff")
    assert payoff.loan.status == "paid_off" and payoff.loan.paid_off_on == payoff.value_date
    assert payoff.loan.principal_outstanding == ZERO
    prepaid = LoanTransaction.objects.get(kind="prepayment")
    assert (prepaid.from_version, prepaid.to_version) == (1, 2) and prepaid.loan.schedule_version == 2
    reversal = LoanTransaction.objects.get(kind="reversal")
    assert reversal.reverses.status == "reversed" and reversal.reason
    assert loans.filter(advance_balance=Decimal("1500.00")).count() == 1
    starts = sorted(loan.start_date for loan in loans)
    assert starts[0] >= dt.date(2025, 6, 1) and starts[-1] < BUSINESS_DATE
    assert {loan.officer.username for loan in loans} == {"demo_agent0", "demo_agent1", "demo_agent2"}
    channel = PaymentChannel.objects.get(code="DEMO")
    assert channel.secret == demo.DEMO_CHANNEL_SECRET
    # the channel's clearing account received every channel payment not reversed
    received = sum(
        (t.amount for t in LoanTransaction.objects.filter(channel=channel, status="posted").exclude(kind="reversal")),
        ZERO,
    )
    assert _balances_by_account()[f"{Acct.CLEARING_PREFIX}DEMO"] == received > 0


def _balances_by_account() -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_loan, code), amount in _balances().items():
        sums[code] += amount
    return sums


def test_some_demo_loans_are_overdue_on_the_business_date(seeded):
    from loancrm.loans.loan_selectors import overdue_q

    overdue = Loan.objects.filter(overdue_q(BUSINESS_DATE))
    assert 3 <= overdue.count() <= 10
    assert not overdue.filter(status="paid_off").exists()


def test_demo_rerun_adds_nothing(seeded):
    counts = (Loan.objects.count(), LoanTransaction.objects.count(), JournalEntry.objects.count())
    demo.seed()
    assert (Loan.objects.count(), LoanTransaction.objects.count(), JournalEntry.objects.count()) == counts
