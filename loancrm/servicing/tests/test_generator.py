"""The portfolio generator: books consistent with the services, deterministic for a seed, roll rates as configured."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import ValidationFailed
from loancrm.ledger.checks import run_checks
from loancrm.loans.models import Installment, Loan, LoanTransaction
from loancrm.loans.schedule import build_schedule
from loancrm.loans.tests.factories import set_business_date
from loancrm.loans.tests.invariants import assert_books_consistent
from loancrm.servicing.generator.model import (
    PRODUCTS,
    RollMatrix,
    Rules,
    SimLoan,
    Snapshot,
    _record_history,
    _Sim,
    bucket_changes,
    month_end_snapshots,
    month_ends,
    schedule_rows,
    simulate,
)
from loancrm.servicing.generator.writer import contract_no, end_of_day_rules, generate
from loancrm.servicing.models import BucketChange, LoanSnapshot
from loancrm.servicing.overdue import DEFAULT_BUCKETS, DEFAULT_CLASSES
from loancrm.servicing.services import eod_run

RULES = {"": Rules(DEFAULT_BUCKETS, DEFAULT_CLASSES)}
DAY = dt.date(2026, 3, 10)


def _fingerprint(seed: int, count: int) -> list[tuple[object, ...]]:
    out = []
    for i in range(count):
        loan = simulate(seed, i, business_date=DAY, months=24, rules=RULES, matrix=RollMatrix())
        out.append((loan.principal, loan.method, loan.start_date, loan.status, loan.dpd, loan.bucket,
                    loan.principal_outstanding, [(t.value_date, t.amount) for t in loan.txns]))  # fmt: skip
    return out


def test_same_seed_same_portfolio_other_seed_other():
    assert _fingerprint(11, 200) == _fingerprint(11, 200)
    assert _fingerprint(11, 200) != _fingerprint(12, 200)


@pytest.mark.parametrize("method", ["equal_installment", "equal_principal", "interest_only", "bullet"])
def test_cached_schedule_is_the_schedule_maths(method):
    start = dt.date(2025, 1, 31)
    rows = schedule_rows(Decimal("123000.00"), Decimal("0.096000"), 12, method, start)
    lines = build_schedule(principal=Decimal("123000.00"), annual_rate=Decimal("0.096000"), term_months=12,
                           method=method, start_date=start).lines  # fmt: skip
    assert [(r.due_date, r.principal_due, r.interest_due) for r in rows] == [
        (line.due_date, line.principal, line.interest) for line in lines
    ]


def test_every_simulated_loan_keeps_the_schedule_invariants():
    for i in range(300):
        loan = simulate(5, i, business_date=DAY, months=36, rules=RULES, matrix=RollMatrix())
        current = loan.current()
        assert sum((r.principal_due for r in current), Decimal(0)) == loan.principal
        for r in current:
            assert 0 <= r.principal_paid <= r.principal_due and 0 <= r.interest_paid <= r.interest_accrued
            assert r.interest_accrued <= r.interest_due and 0 <= r.penalty_paid <= r.penalty_due
        for t in loan.txns:
            assert sum((a for _i, _c, a in t.parts), Decimal(0)) == t.amount > 0


def test_roll_rates_follow_the_matrix_for_2000_loans():
    matrix = RollMatrix(miss=0.05, payoff=0.01, cure=(0.0, 0.5, 0.3, 0.2, 0.1), stay=(0.0, 0.1, 0.1, 0.1, 0.1))
    seen: Counter[tuple[int, str]] = Counter()
    for i in range(2000):
        simulate(3, i, business_date=DAY, months=24, rules=RULES, matrix=matrix, transitions=seen)
    current = sum(n for (s, _o), n in seen.items() if s == 0)
    assert seen[(0, "roll")] / current == pytest.approx(0.05, abs=0.01)
    assert seen[(0, "payoff")] / current == pytest.approx(0.01, abs=0.004)
    m1 = sum(n for (s, _o), n in seen.items() if s == 1)
    assert m1 > 300
    assert seen[(1, "cure")] / m1 == pytest.approx(0.5, abs=0.07)
    assert seen[(1, "roll")] / m1 == pytest.approx(0.4, abs=0.07)


@pytest.mark.django_db
def test_generated_books_are_consistent_and_match_the_simulation():
    day = current_business_date()
    report = generate(loans=120, months=18, seed=21, chunk=50, pool=40)
    assert report.loans == Loan.objects.count() == 120
    assert report.customers_created == 40
    checked = run_checks()
    assert checked.ok, checked.problems
    for loan in Loan.objects.all():
        assert_books_consistent(loan)
    rules = {"": Rules(DEFAULT_BUCKETS, DEFAULT_CLASSES)}
    for i in (0, 57, 119):
        sim = simulate(21, i, business_date=day, months=18, rules=rules, matrix=RollMatrix())
        loan = Loan.objects.get(contract_no=contract_no(21, i))
        assert (loan.status, loan.dpd, loan.bucket, loan.principal_outstanding) == (
            sim.status, sim.dpd, sim.bucket, sim.principal_outstanding)  # fmt: skip
        assert Installment.objects.filter(loan=loan).count() == len(sim.rows)
        assert LoanTransaction.objects.filter(loan=loan).count() == len(sim.txns) + 1
    assert set(Loan.objects.values_list("status", flat=True)) >= {"active", "paid_off"}


@pytest.mark.django_db
def test_a_seed_books_once_and_the_end_of_day_runs_clean_on_it():
    generate(loans=60, months=12, seed=22, pool=20)
    with pytest.raises(ValidationFailed):
        generate(loans=60, months=12, seed=22, pool=20)
    assert Loan.objects.count() == 60
    eod_run()
    eod_run()
    checked = run_checks()
    assert checked.ok, checked.problems
    for loan in Loan.objects.all():
        assert_books_consistent(loan)


@pytest.mark.django_db
def test_command_prints_progress_and_buckets(capsys):
    call_command("generate_portfolio", "--loans", "30", "--months", "6", "--seed", "23", "--customers", "10")
    out = capsys.readouterr().out
    assert "30 / 30" in out and "M0" in out
    assert len(PRODUCTS) == 4


def _late_loan() -> SimLoan:
    """Equal principal 10,000 a month at 12 %: instalment 2 (due 15 March) missed, paid with 3 on 24 April."""
    start, business_date = dt.date(2025, 1, 15), dt.date(2025, 6, 20)
    rows = schedule_rows(Decimal("120000.00"), Decimal("0.120000"), 12, "equal_principal", start)
    loan = SimLoan(0, "CONSUMER", Decimal("120000.00"), Decimal("0.120000"), 12, "equal_principal", start,
                   rows[-1].due_date, rows, [])  # fmt: skip
    sim = _Sim(loan, RULES[""], business_date)
    for indexes, on in (([0], "2025-02-15"), ([1, 2], "2025-04-24"), ([3], "2025-05-15"), ([4], "2025-06-15")):
        sim.pay_rows(indexes, dt.date.fromisoformat(on))
    sim.finish()
    _record_history(sim, business_date)
    return loan


def test_bucket_history_of_a_loan_40_days_late_then_cured():
    loan = _late_loan()
    assert (
        bucket_changes(loan, RULES[""], dt.date(2025, 6, 20))
        == loan.changes
        == [
            (dt.date(2025, 3, 15), "M0", "M1", 1),  # first day late: DPD 1 as of the 16th
            (dt.date(2025, 4, 14), "M1", "M2", 31),
            (dt.date(2025, 4, 24), "M2", "M0", 0),  # the payment's value date
        ]
    )
    assert (loan.dpd, loan.bucket, loan.risk_class) == (0, "M0", "normal")
    assert bucket_changes(loan, RULES[""], dt.date(2025, 4, 24)) == loan.changes[:2]  # the run of the 24th not yet
    grace = Rules(DEFAULT_BUCKETS, DEFAULT_CLASSES, grace_days=5)
    assert bucket_changes(loan, grace, dt.date(2025, 6, 20)) == [
        (dt.date(2025, 3, 20), "M0", "M1", 6),  # past the grace days DPD counts from the due date
        (dt.date(2025, 4, 14), "M1", "M2", 31),
        (dt.date(2025, 4, 24), "M2", "M0", 0),
    ]


def test_month_end_snapshots_of_a_loan_40_days_late_then_cured():
    loan = _late_loan()
    shots = month_end_snapshots(loan, RULES[""], dt.date(2025, 6, 20))
    assert shots == loan.snapshots
    assert [s.month for s in shots] == [dt.date(2025, m, 1) for m in (1, 2, 3, 4, 5)]
    i1, i2, i3, i4 = (loan.rows[k].interest_due for k in range(4))
    assert i2 == Decimal("1100.00")
    assert shots[0] == Snapshot(dt.date(2025, 1, 1), "active", Decimal("120000.00"),
                                (i1 * 17 / 31).quantize(Decimal("0.01")), Decimal(0), 0, "M0", "normal")  # fmt: skip
    # 31 March, as of 1 April: 17 days late on 10,000 principal and 1,100 interest at 18 % / 360
    penalty = Decimal("85.00") + Decimal("9.35")
    assert shots[2] == Snapshot(dt.date(2025, 3, 1), "overdue", Decimal("110000.00"),
                                i2 + (i3 * 17 / 31).quantize(Decimal("0.01")), penalty, 17, "M1",
                                "special_mention")  # fmt: skip
    assert shots[3] == Snapshot(dt.date(2025, 4, 1), "active", Decimal("90000.00"),
                                (i4 * 16 / 30).quantize(Decimal("0.01")), Decimal(0), 0, "M0", "normal")  # fmt: skip


def test_history_ends_with_the_current_bucket_for_simulated_loans():
    for i in range(400):
        loan = simulate(6, i, business_date=DAY, months=24, rules=RULES, matrix=RollMatrix())
        assert (loan.changes[-1][2] if loan.changes else "M0") == loan.bucket
        assert len({day for day, *_rest in loan.changes}) == len(loan.changes)
        assert all(old != new for _day, old, new, _dpd in loan.changes)
        end = min(DAY, loan.paid_off_on or DAY)
        assert [s.month for s in loan.snapshots] == [e.replace(day=1) for e in month_ends(loan.start_date, end)]


def _snapshot_tuple(row: LoanSnapshot) -> tuple[object, ...]:
    return (row.month, row.status, row.principal, row.interest, row.penalty, row.dpd, row.bucket, row.risk_class)


@pytest.mark.django_db
def test_generated_history_is_stored_and_consistent():
    set_business_date(dt.date(2026, 2, 1))
    report = generate(loans=120, months=18, seed=25, chunk=50, pool=40)
    assert report.snapshots == LoanSnapshot.objects.count() > 0
    assert report.bucket_changes == BucketChange.objects.count() > 0
    checked = run_checks()
    assert checked.ok, checked.problems
    last = dt.date(2026, 1, 31)
    for loan in Loan.objects.all():
        end = min(dt.date(2026, 2, 1), loan.paid_off_on or dt.date(2026, 2, 1))
        months = list(LoanSnapshot.objects.filter(loan=loan).values_list("month", flat=True))
        assert months == [e.replace(day=1) for e in month_ends(loan.start_date, end)]
        changes = list(BucketChange.objects.filter(loan=loan).order_by("business_date"))
        assert (changes[-1].to_bucket if changes else "M0") == loan.bucket
        for shot in LoanSnapshot.objects.filter(loan=loan):
            e = month_ends(shot.month, shot.month + dt.timedelta(days=31))[0]
            unpaid = Installment.objects.filter(loan=loan, version=1).exclude(paid_on__lte=e)
            assert shot.principal == sum((r.principal_due for r in unpaid), Decimal(0))
        quiet = not LoanTransaction.objects.filter(loan=loan, value_date=dt.date(2026, 2, 1)).exists()
        if loan.status != "paid_off" and quiet:  # nothing happened since the run of 31 January
            rows = Installment.objects.filter(loan=loan, version=loan.schedule_version)
            owed = (sum((r.interest_accrued - r.interest_paid for r in rows), Decimal(0)),
                    sum((r.penalty_due - r.penalty_paid for r in rows), Decimal(0)))  # fmt: skip
            current = (last.replace(day=1), loan.status, loan.principal_outstanding, *owed, loan.dpd, loan.bucket,
                       loan.risk_class)  # fmt: skip
            assert _snapshot_tuple(LoanSnapshot.objects.get(loan=loan, month=last.replace(day=1))) == current


@pytest.mark.django_db
def test_history_matches_what_the_end_of_day_of_a_month_end_writes():
    last = dt.date(2026, 1, 31)
    set_business_date(last)
    generate(loans=150, months=8, seed=26, chunk=60, pool=30)
    assert not LoanSnapshot.objects.filter(month=dt.date(2026, 1, 1)).exists()
    eod_run()
    checked = run_checks()
    assert checked.ok, checked.problems
    rules = end_of_day_rules()
    expected_shots, expected_moves = {}, {}
    for i in range(150):
        sim = simulate(26, i, business_date=last, months=8, rules=rules, matrix=RollMatrix())
        code = contract_no(26, i)
        sim_rules = rules.get(sim.product_code) or rules[""]
        shots = month_end_snapshots(sim, sim_rules, last + dt.timedelta(days=1))
        if shots and shots[-1].month == dt.date(2026, 1, 1):
            s = shots[-1]
            expected_shots[code] = (s.month, s.status, s.principal, s.interest, s.penalty, s.dpd, s.bucket,
                                    s.risk_class)  # fmt: skip
        moves = [m for m in bucket_changes(sim, sim_rules, last + dt.timedelta(days=1)) if m[0] == last]
        if moves:
            expected_moves[code] = moves[0][1:]
    january = LoanSnapshot.objects.filter(month=dt.date(2026, 1, 1)).select_related("loan")
    batch_shots = {row.loan.contract_no: _snapshot_tuple(row) for row in january}
    assert batch_shots == expected_shots and len(batch_shots) > 50
    assert set(LoanSnapshot.objects.values_list("fee", flat=True)) == {Decimal(0)}
    assert set(LoanSnapshot.objects.values_list("advance", flat=True)) == {Decimal(0)}
    batch_moves = {c.loan.contract_no: (c.from_bucket, c.to_bucket, c.dpd)
                   for c in BucketChange.objects.filter(business_date=last).select_related("loan")}  # fmt: skip
    assert batch_moves == expected_moves and batch_moves
