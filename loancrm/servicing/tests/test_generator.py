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
from loancrm.loans.tests.invariants import assert_books_consistent
from loancrm.servicing.generator.model import PRODUCTS, RollMatrix, Rules, schedule_rows, simulate
from loancrm.servicing.generator.writer import contract_no, generate
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
