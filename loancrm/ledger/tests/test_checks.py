"""``run_checks`` / ``manage.py ledger_check``: clean on consistent books (local factory and the real loan services),
and each kind of problem named with its entry or loan and the two figures on broken books."""

from __future__ import annotations

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import F

from loancrm.ledger import checks
from loancrm.ledger.checks import run_checks
from loancrm.ledger.choices import Acct, EntryKind
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.ledger.posting import account_id, cr, dr, journal_post
from loancrm.ledger.tests.factories import D, M, accrue, disburse, make_loan, repay
from loancrm.loans.models import Installment, Loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(today):
    """Two consistent loans: A disbursed, accrued and partly repaid; B just disbursed."""
    a, b = make_loan("HT-A"), make_loan("HT-B", principal="5000.00")
    disburse(a, D(2026, 9, 1))
    accrue(a, 1, "60.00", D(2026, 9, 30))
    repay(a, 1, "4000.00", "60.00", D(2026, 10, 1))
    accrue(a, 2, "20.00", D(2026, 10, 15))
    disburse(b, D(2026, 9, 1))
    return a, b


def run_command() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("ledger_check", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def problems(report) -> list[tuple[str, str, Decimal, Decimal]]:
    return [(p.kind, p.subject, p.left, p.right) for p in report.problems]


def test_consistent_books_are_clean(books):
    report = run_checks()
    assert report.ok and report.problems == [] and report.counts == {}
    assert (report.entries, report.lines, report.loans) == (5, 11, 2)
    code, out, err = run_command()
    assert code == 0 and err == ""
    assert "5 entries, 11 lines, 2 loans checked" in out and "ledger OK" in out


def test_books_kept_by_the_loan_services_are_clean(today, people):
    from loancrm.loans.services import payment_post
    from loancrm.loans.tests.factories import make_loan as book_loan
    from loancrm.loans.tests.factories import set_business_date

    loan = book_loan(actor=people.ops, principal=M("100000.00"), start_date=D(2026, 1, 15))
    set_business_date(D(2026, 4, 20))
    for day in (D(2026, 2, 15), D(2026, 3, 15), D(2026, 4, 15)):
        payment_post(loan_id=loan.pk, amount=M("9000.00"), value_date=day, actor=people.ops)
    report = run_checks()
    assert report.ok, problems(report)
    assert report.entries == JournalEntry.objects.count() >= 4


def add_lines(entry_date, *lines, loan=None):
    """An entry written behind the posting service's back (what a buggy module or a manual SQL fix could do)."""
    entry = JournalEntry.objects.create(entry_date=entry_date, kind=EntryKind.ADJUSTMENT, loan=loan)
    JournalLine.objects.bulk_create([JournalLine(entry=entry, account_id=account_id(code), **kw) for code, kw in lines])
    return entry


def test_unbalanced_and_short_entries_and_a_nonzero_trial_balance_are_named(books):
    unbalanced = add_lines(
        D(2026, 10, 2), (Acct.SUSPENSE, {"debit": M("10.00")}), (Acct.FEE_INCOME, {"credit": M("9.99")})
    )
    single = add_lines(D(2026, 10, 2), (Acct.SUSPENSE, {"credit": M("3.00")}))
    empty = add_lines(D(2026, 10, 2))
    report = run_checks()
    assert report.counts == {"short_entry": 2, "unbalanced_entry": 1, "trial_balance": 1}
    assert problems(report) == [
        ("short_entry", f"entry #{single.pk}", Decimal(1), Decimal(2)),
        ("short_entry", f"entry #{empty.pk}", Decimal(0), Decimal(2)),
        ("unbalanced_entry", f"entry #{unbalanced.pk}", M("10.00"), M("9.99")),
        ("trial_balance", "journal", M("21150.00"), M("21152.99")),
    ]
    code, _out, err = run_command()
    assert code == 1
    assert "4 problem(s)" in err and f"[unbalanced_entry] entry #{unbalanced.pk}: debits 10.00 ≠ credits 9.99" in err


def test_a_principal_line_without_its_loan_is_named(books):
    entry = journal_post(
        entry_date=D(2026, 10, 3), kind=EntryKind.ADJUSTMENT,
        legs=[dr(Acct.DISBURSEMENT, M("500.00")), cr(Acct.PRINCIPAL, M("500.00"))],
    )  # fmt: skip
    report = run_checks()
    assert report.counts == {"line_without_loan": 1}
    assert problems(report) == [("line_without_loan", f"entry #{entry.pk} ({Acct.PRINCIPAL})", M("500.00"), M("0.00"))]


def test_each_loan_mismatch_is_named_with_the_contract_and_both_figures(books):
    a, b = books
    Loan.objects.filter(pk=a.pk).update(principal_outstanding=M("7999.99"), advance_balance=M("15.00"))
    Installment.objects.filter(loan=b, period=2).update(principal_paid=M("100.00"))
    Installment.objects.filter(loan=a, period=2).update(interest_accrued=F("interest_accrued") + M("0.01"))
    journal_post(
        entry_date=D(2026, 10, 5), kind=EntryKind.ADJUSTMENT,
        legs=[dr(Acct.PENALTY, M("3.00"), a.pk), dr(Acct.FEE, M("2.00"), a.pk), cr(Acct.SUSPENSE, M("5.00"))],
    )  # fmt: skip
    report = run_checks()
    assert report.counts == {
        "principal_ledger": 1, "principal_schedule": 2, "interest": 1, "penalty": 1, "fee": 1, "advance": 1,
    }  # fmt: skip
    assert problems(report) == [
        ("principal_ledger", "loan HT-A", M("8000.00"), M("7999.99")),
        ("principal_schedule", "loan HT-A", M("7999.99"), M("8000.00")),
        ("principal_schedule", "loan HT-B", M("5000.00"), M("4900.00")),
        ("interest", "loan HT-A", M("20.00"), M("20.01")),
        ("penalty", "loan HT-A", M("3.00"), M("0.00")),
        ("fee", "loan HT-A", M("2.00"), M("0.00")),
        ("advance", "loan HT-A", M("0.00"), M("15.00")),
    ]
    code, _out, err = run_command()
    assert (
        code == 1
        and "[principal_ledger] loan HT-A: principal receivable 8000.00 ≠ principal outstanding 7999.99" in err
    )


def test_only_the_current_schedule_version_counts(books):
    a, _b = books
    Installment.objects.create(
        loan=a,
        version=2,
        period=1,
        due_date=D(2026, 10, 1),
        period_start=a.start_date,
        principal_due=M("1.00"),
        interest_due=M("0.00"),
    )
    assert run_checks().ok
    Loan.objects.filter(pk=a.pk).update(schedule_version=2)
    assert ("principal_schedule", "loan HT-A", M("8000.00"), M("1.00")) in problems(run_checks())


def test_negative_figures_and_overpaid_instalments_are_named(books):
    a, b = books
    Installment.objects.filter(loan=b, period=1).update(interest_paid=M("60.01"), interest_accrued=M("60.01"))
    Installment.objects.filter(loan=b, period=3).update(fee_due=M("-1.00"))
    Installment.objects.filter(loan=a, period=2).update(interest_paid=M("30.00"))  # above the 20.00 accrued
    Loan.objects.filter(pk=b.pk).update(advance_balance=M("-2.00"))
    journal_post(
        entry_date=D(2026, 10, 6), kind=EntryKind.ADJUSTMENT,
        legs=[dr(Acct.ADVANCE, M("2.00"), b.pk), cr(Acct.SUSPENSE, M("2.00"))],
    )  # fmt: skip
    report = run_checks()
    found = problems(report)
    assert report.counts["negative_installment"] == 3 and report.counts["negative_loan"] == 1
    assert [p for p in found if p[0] == "negative_installment"] == [
        ("negative_installment", "loan HT-A v1 #2", M("30.00"), M("20.00")),
        ("negative_installment", "loan HT-B v1 #1", M("60.01"), M("60.00")),
        ("negative_installment", "loan HT-B v1 #3", M("0.00"), M("-1.00")),  # fee paid above the (negative) due
        ("negative_installment", "loan HT-B v1 #3", M("-1.00"), M("0.00")),
    ]
    assert [p for p in found if p[0] == "negative_loan"] == [
        ("negative_loan", "loan HT-B", M("-2.00"), M("0.00")),
        ("negative_loan", "loan HT-B", M("-2.00"), M("0.00")),
    ]
    assert [(p.left_label, p.right_label) for p in report.problems if p.kind == "negative_loan"] == [
        ("advance held", "minimum"), ("customer advance", "minimum"),
    ]  # fmt: skip


def test_at_most_twenty_problems_of_a_kind_are_kept_and_all_are_counted(books):
    suspense, fee = account_id(Acct.SUSPENSE), account_id(Acct.FEE_INCOME)
    for _n in range(25):
        entry = JournalEntry.objects.create(entry_date=D(2026, 10, 7), kind=EntryKind.ADJUSTMENT)
        JournalLine.objects.bulk_create([
            JournalLine(entry=entry, account_id=suspense, debit=M("1.00")),
            JournalLine(entry=entry, account_id=fee, credit=M("2.00")),
        ])  # fmt: skip
    report = run_checks()
    assert report.counts["unbalanced_entry"] == 25
    assert len([p for p in report.problems if p.kind == "unbalanced_entry"]) == 20
    code, _out, err = run_command()
    assert code == 1 and err.count("[unbalanced_entry]") == 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one snapshot for all statements: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postings_committed_while_checking_are_not_seen_as_problems(books, monkeypatch):
    original, calls = checks._rows, []

    def rows_then_post(sql, params=None):
        found = original(sql, params)
        if not calls:  # after the first statement, another session commits an entry (no lines yet: a broken one)
            thread = threading.Thread(target=commit_empty_entry)
            thread.start()
            thread.join()
        calls.append(sql)
        return found

    monkeypatch.setattr(checks, "_rows", rows_then_post)
    assert checks.run_checks().ok
    assert JournalEntry.objects.count() == 6
    monkeypatch.setattr(checks, "_rows", original)
    assert checks.run_checks().counts == {"short_entry": 1}


def commit_empty_entry():
    try:
        JournalEntry.objects.create(entry_date=D(2026, 10, 9), kind=EntryKind.ADJUSTMENT)
    finally:
        connections.close_all()


def test_stored_period_balances_that_disagree_with_the_journal_are_named(books, people):
    from loancrm.ledger.models import PeriodBalance
    from loancrm.ledger.services import period_close

    period_close(month=D(2026, 9, 1), actor=people.ops, reason="月结")
    assert run_checks().ok
    PeriodBalance.objects.filter(account__code=Acct.PRINCIPAL).update(debits=M("17000.01"))
    PeriodBalance.objects.filter(account__code=Acct.INTEREST).delete()
    report = run_checks()
    assert report.counts == {"period_balance": 2}
    assert problems(report) == [
        ("period_balance", f"period 2026-09 {Acct.PRINCIPAL}", M("17000.00"), M("17000.01")),
        ("period_balance", f"period 2026-09 {Acct.INTEREST}", M("60.00"), M("0.00")),
    ]


def test_references_to_missing_rows_are_named(books):
    from loancrm.loans.models import LoanTransaction, TransactionPart

    # given lines and parts written behind the services' back, naming rows that do not exist (no database FK)
    missing = 10**9
    entry = add_lines(
        D(2026, 10, 6),
        (Acct.SUSPENSE, {"debit": M("1.00"), "loan_id": missing}),
        (Acct.FEE_INCOME, {"credit": M("1.00")}),
    )
    txn = LoanTransaction.objects.create(loan=books[0], kind="repayment", amount=M("1.00"), value_date=D(2026, 10, 6))
    part = TransactionPart.objects.create(transaction=txn, installment_id=missing, component="fee", amount=M("1.00"))
    # when the books are checked, then each dangling reference is named with the row it misses
    report = run_checks()
    assert report.counts == {"dangling_reference": 2}
    line = JournalLine.objects.get(entry=entry, loan_id=missing)
    assert [p.subject for p in report.problems] == [
        f"ledger_journalline #{line.pk} loan_id → loans_loan #{missing}",
        f"loans_transactionpart #{part.pk} installment_id → loans_installment #{missing}",
    ]
