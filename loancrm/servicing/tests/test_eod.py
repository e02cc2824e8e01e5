"""The end-of-day run on real loans: accrual, penalty reference, DPD and buckets, idempotence, crash and rerun,
back-dated payments, the journal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from loancrm.core.business_date import current_business_date
from loancrm.core.money import quantize_money
from loancrm.jobs.models import JobRun
from loancrm.ledger.choices import Acct, EntryKind
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.ledger.posting import clear_account_cache
from loancrm.loans.choices import InstallmentStatus, LoanStatus
from loancrm.loans.models import Installment
from loancrm.loans.services import payment_post
from loancrm.loans.tests.factories import make_loan, set_business_date
from loancrm.loans.tests.invariants import assert_books_consistent, trial_balance
from loancrm.servicing.errors import EodDateRefused
from loancrm.servicing.models import BucketChange, EodDay, EodPartition, LoanEvent, LoanSnapshot, OverdueRule
from loancrm.servicing.services import eod_run
from loancrm.servicing.tests.support import assert_ledger_clean, run_until, state

pytestmark = pytest.mark.django_db
D = Decimal
START = dt.date(2026, 1, 15)
DUE1 = dt.date(2026, 2, 15)


def first_row(loan):
    return Installment.objects.get(loan=loan, version=loan.schedule_version, period=1)


def test_interest_accrues_daily_to_the_scheduled_interest_by_the_due_date():
    loan = make_loan()
    run_until(START)  # the end of 15 Jan: one day of the 31-day first period
    assert first_row(loan).interest_accrued == D("16.13")
    run_until(dt.date(2026, 2, 14))
    row = first_row(loan)
    assert row.interest_accrued == D("500.00") and row.status == InstallmentStatus.DUE
    assert current_business_date() == DUE1
    income = JournalLine.objects.filter(account__code=Acct.INTEREST_INCOME).values_list("credit", flat=True)
    assert sum(income, D("0")) == D("500.00")
    assert_books_consistent(loan)
    assert_ledger_clean()


def test_the_penalty_reference_paid_ten_days_late():
    # given the reference loan whose first instalment is not paid on 15 Feb
    loan = make_loan()
    run_until(dt.date(2026, 2, 24))
    # then on 25 Feb it is 10 days past due and owes 20.27 + 1.25 penalty
    loan.refresh_from_db()
    row = first_row(loan)
    assert (loan.dpd, loan.bucket, loan.risk_class, loan.status) == (10, "M1", "special_mention", "overdue")
    assert row.penalty_due == D("21.52") and row.status == InstallmentStatus.OVERDUE
    assert row.penalty_rate == D("0.09") and row.compound_rate == D("0.09")
    # when it is paid that day with the penalty
    payment_post(loan_id=loan.pk, amount=D("8628.16"), value_date=dt.date(2026, 2, 25), actor=None)
    run_until(dt.date(2026, 3, 5))
    # then the penalty stopped, the loan is current again and the bucket history shows M0 → M1 → M0
    loan.refresh_from_db()
    row = first_row(loan)
    assert (row.status, row.penalty_due, row.penalty_paid) == (InstallmentStatus.PAID, D("21.52"), D("21.52"))
    assert (loan.dpd, loan.bucket, loan.status) == (0, "M0", LoanStatus.ACTIVE)
    moves = list(BucketChange.objects.filter(loan=loan).values_list("business_date", "from_bucket", "to_bucket"))
    assert moves == [(DUE1, "M0", "M1"), (dt.date(2026, 2, 25), "M1", "M0")]
    penalty_income = JournalLine.objects.filter(account__code=Acct.PENALTY_INCOME)
    assert sum(penalty_income.values_list("credit", flat=True), D("0")) == D("21.52")
    assert_books_consistent(loan)
    assert_ledger_clean()


def test_dpd_boundaries_through_the_buckets():
    loan = make_loan(term_months=1, principal=D("1000.00"))
    due = loan.maturity_date
    seen = {}
    while current_business_date() < due + dt.timedelta(days=182):
        eod_run()
        loan.refresh_from_db()
        seen[(current_business_date() - due).days] = (loan.dpd, loan.bucket, loan.risk_class)
    assert seen[0] == (0, "M0", "normal")
    assert seen[1] == (1, "M1", "special_mention")
    assert seen[30] == (30, "M1", "special_mention")
    assert seen[31] == (31, "M2", "special_mention")
    assert seen[180] == (180, "M6", "substandard")
    assert seen[181] == (181, "M7+", "substandard")
    codes = list(BucketChange.objects.filter(loan=loan).values_list("to_bucket", flat=True))
    assert codes == ["M1", "M2", "M3", "M4", "M5", "M6", "M7+"]
    assert_ledger_clean()


def test_grace_days_and_compound_off_from_the_product_rule():
    OverdueRule.objects.create(product_code="SME", grace_days=3, penalty_multiplier=D("2.00"), compound=False)
    loan = make_loan(product_code="SME")
    run_until(DUE1 + dt.timedelta(days=2))  # 18 Feb: 3 days late, within grace
    loan.refresh_from_db()
    assert (loan.dpd, loan.status, first_row(loan).penalty_due) == (0, LoanStatus.ACTIVE, D("0.00"))
    run_until(DUE1 + dt.timedelta(days=3))  # 19 Feb: 4 days late, penalty from the due date, no compound
    loan.refresh_from_db()
    row = first_row(loan)
    assert (loan.dpd, loan.status) == (4, LoanStatus.OVERDUE)
    assert row.penalty_rate == D("0.12") and row.compound_rate == D("0")
    assert row.penalty_due == D("10.81")  # 8,106.64 × 4 × 0.12 / 360
    assert_ledger_clean()


def test_running_a_date_twice_changes_nothing_and_dates_run_in_order():
    make_loan()
    run_until(dt.date(2026, 3, 1))
    before = state()
    # a closed date again: nothing changes, through the service or the command
    assert eod_run(business_date=dt.date(2026, 3, 1)).already_done
    call_command("eod_run", "--date", "2026-03-01")
    assert state() == before
    # a later date must wait for the business date
    with pytest.raises(EodDateRefused):
        eod_run(business_date=dt.date(2026, 3, 5))
    # a date skipped by moving the business date by hand cannot be run afterwards
    set_business_date(dt.date(2026, 3, 10))
    with pytest.raises(EodDateRefused):
        eod_run(business_date=dt.date(2026, 3, 4))
    assert state()["lines"] == before["lines"]


def _book(count):
    return [make_loan(principal=D(10000 + 1000 * index), annual_rate=D("0.072")) for index in range(count)]


def _scenario(loans):
    """Forty-odd days: everyone misses the first due date, one pays late with a surplus, another pays part."""
    run_until(dt.date(2026, 2, 20))
    payment_post(loan_id=loans[1].pk, amount=D("2000.00"), value_date=dt.date(2026, 2, 21), actor=None)
    payment_post(loan_id=loans[3].pk, amount=D("300.00"), value_date=dt.date(2026, 2, 21), actor=None)
    run_until(dt.date(2026, 3, 20))


def test_crash_half_way_then_rerun_equals_a_clean_run(settings, monkeypatch):
    settings.EOD_PARTITION_LOANS = 2
    loans = _book(5)  # ids in three partitions
    with transaction.atomic():
        _scenario(loans)
        clean = state()
        transaction.set_rollback(True)
    clear_account_cache()
    assert current_business_date() == START and not EodDay.objects.exists()

    from loancrm.servicing.eod import partition

    original = partition.set_instalment_statuses
    calls = []

    def dies_in_the_second_partition_of_20_feb(as_of):
        original(as_of)  # the partition's journal entry, accruals, penalty and statuses are written, then it dies
        if current_business_date() == dt.date(2026, 2, 20):
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("worker died")

    monkeypatch.setattr(partition, "set_instalment_statuses", dies_in_the_second_partition_of_20_feb)
    with pytest.raises(RuntimeError):
        run_until(dt.date(2026, 2, 20))
    day = EodDay.objects.get(business_date=dt.date(2026, 2, 20))
    done = EodPartition.objects.filter(business_date=day.business_date, status="done").count()
    assert (day.status, done, current_business_date()) == ("running", 1, dt.date(2026, 2, 20))
    # the rerun skips the finished partition and redoes the failed one
    _scenario(loans)
    assert state() == clean
    assert_ledger_clean()
    for loan in loans:
        assert_books_consistent(loan)


def test_a_surplus_is_held_and_applied_on_the_next_due_date():
    loan = make_loan()
    run_until(dt.date(2026, 2, 14))
    payment_post(loan_id=loan.pk, amount=D("10000.00"), value_date=DUE1, actor=None)  # 1,393.36 held
    run_until(dt.date(2026, 3, 15))  # the second instalment falls due on 15 Mar
    loan.refresh_from_db()
    second = Installment.objects.get(loan=loan, version=loan.schedule_version, period=2)
    assert loan.advance_balance == D("0.00")
    assert second.interest_paid + second.principal_paid == D("1393.36")
    assert_books_consistent(loan)
    assert_ledger_clean()


def test_journal_entries_are_one_per_partition_and_balanced(settings):
    settings.EOD_PARTITION_LOANS = 2
    _book(5)
    run_until(START)
    entries = JournalEntry.objects.filter(kind=EntryKind.ACCRUAL, entry_date=START)
    assert entries.count() == 3
    for entry in entries:
        lines = entry.lines.all()
        assert sum((line.debit for line in lines), D("0")) == sum((line.credit for line in lines), D("0"))
    assert trial_balance() == 0
    assert EodPartition.objects.filter(business_date=START, status="done").count() == 3


def test_a_back_dated_payment_stops_the_penalty_on_its_value_date():
    # given the reference loan, its first instalment unpaid, the end of day run through 27 Feb (13 days late)
    loan = make_loan()
    run_until(dt.date(2026, 2, 27))
    assert first_row(loan).penalty_due == D("27.98")  # 8,606.64 × 13 × 0.09 / 360 in two parts
    # when on 28 Feb a payment valued 25 Feb brings what was owed that day
    txn = payment_post(loan_id=loan.pk, amount=D("8628.16"), value_date=dt.date(2026, 2, 25), actor=None)
    # then it paid 10 days of penalty, not 13, and the whole instalment
    assert (txn.penalty, txn.interest, txn.principal, txn.advance) == (D("21.52"), D("500.00"), D("8106.64"), 0)
    assert_books_consistent(loan)
    # and the next end of day takes the later days back and recomputes DPD
    run_until(dt.date(2026, 2, 28))
    loan.refresh_from_db()
    row = first_row(loan)
    assert (row.status, row.paid_on, row.penalty_due, row.penalty_paid) == (
        InstallmentStatus.PAID, dt.date(2026, 2, 25), D("21.52"), D("21.52"))  # fmt: skip
    assert (loan.dpd, loan.bucket, loan.status) == (0, "M0", LoanStatus.ACTIVE)
    assert BucketChange.objects.filter(loan=loan).values_list("business_date", "to_bucket").last() == (
        dt.date(2026, 2, 28), "M0")  # fmt: skip
    penalty = JournalLine.objects.filter(account__code=Acct.PENALTY_INCOME).values_list("debit", "credit")
    assert sum((c - d for d, c in penalty), D("0")) == D("21.52")
    assert_books_consistent(loan)
    assert_ledger_clean()


def test_a_back_dated_partial_payment_lowers_the_base_from_its_value_date():
    loan = make_loan()
    run_until(dt.date(2026, 2, 27))
    payment_post(loan_id=loan.pk, amount=D("4000.00"), value_date=dt.date(2026, 2, 20), actor=None)
    run_until(dt.date(2026, 3, 4))
    row = first_row(loan)
    # paid on 20 Feb: 5 days of penalty (10.13 + 0.63), the interest, principal 3,489.24; on 5 Mar (18 days late)
    # the paid principal and interest count 5 days, the principal still owed all 18
    assert (row.penalty_paid, row.principal_paid) == (D("10.76"), D("3489.24"))
    expected_principal = (D("4617.40") * 18 + D("3489.24") * 5) * D("0.09") / 360
    expected_compound = D("500.00") * 5 * D("0.09") / 360
    assert row.penalty_due == quantize_money(expected_principal) + quantize_money(expected_compound) == D("25.77")
    assert_books_consistent(loan)
    assert_ledger_clean()


def test_events_and_the_month_end_snapshot():
    loan = make_loan()
    run_until(dt.date(2026, 2, 28))
    events = list(LoanEvent.objects.filter(loan=loan).values_list("business_date", "kind"))
    # reminded during 14 Feb (written by the end of 13 Feb), overdue from the end of 15 Feb
    assert events == [(dt.date(2026, 2, 13), "due_tomorrow"), (dt.date(2026, 2, 15), "became_overdue")]
    # the snapshot holds the loan as the end of the month's last day leaves it (1 Feb: 17 days of interest)
    snapshots = list(LoanSnapshot.objects.filter(loan=loan).order_by("month"))
    assert [s.month for s in snapshots] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    january, february = snapshots
    assert (january.principal, january.interest, january.dpd, january.bucket) == (D("100000.00"), D("274.19"), 0, "M0")
    row = first_row(loan)
    assert (february.interest, february.penalty, february.dpd, february.bucket, february.status) == (
        D("500.00") + Installment.objects.get(loan=loan, period=2).interest_accrued, row.penalty_due, 14, "M1",
        "overdue")  # fmt: skip


def test_the_command_runs_through_the_job_and_shows_progress(settings, capsys):
    settings.EOD_PARTITION_LOANS = 2
    _book(3)
    call_command("eod_run")
    run = JobRun.objects.get(name="eod.run", business_date=START)
    assert (run.status, run.total, run.processed) == ("succeeded", 3, 3)
    assert current_business_date() == START + dt.timedelta(days=1)
    capsys.readouterr()
    call_command("eod_run", "--date", START.isoformat())
    assert "already done" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("eod_run", "--date", "2026-02-01")


def test_a_failed_job_run_resumes_from_its_finished_partitions(settings, monkeypatch):
    settings.EOD_PARTITION_LOANS = 2
    loans = _book(3)
    from loancrm.servicing.eod import partition

    original = partition.recompute_loans

    def fails_for_the_last_loans(day, lo, hi, as_of):
        if lo > loans[1].pk:
            raise RuntimeError("disk full")
        return original(day, lo, hi, as_of)

    monkeypatch.setattr(partition, "recompute_loans", fails_for_the_last_loans)
    with pytest.raises(CommandError):
        call_command("eod_run")
    run = JobRun.objects.get(name="eod.run", business_date=START)
    assert (run.status, run.processed) == ("failed", 2)
    monkeypatch.setattr(partition, "recompute_loans", original)
    call_command("eod_run")
    run.refresh_from_db()
    assert (run.status, run.processed, run.attempt) == ("succeeded", 3, 2)
    assert current_business_date() == START + dt.timedelta(days=1)
    assert_ledger_clean()
