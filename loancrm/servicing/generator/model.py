"""One synthetic loan's history, simulated in pure Python (no Django).

Behaviour follows a monthly Markov roll matrix over the number of instalments in arrears: at each due date a loan
with none either pays the instalment on its due date, misses it, or (rarely) pays off inside the next period; a loan
in arrears cures (pays everything owed), stays (pays its oldest instalment only) or rolls (misses one more).
Every payment pays whole instalments.

The figures are those the services and a daily end-of-day run would have produced: the schedule from
``loans.schedule``; interest accrued to date (``overdue.interest_to_date``) as of the business date; an overdue
instalment's penalty and compound interest from ``overdue.penalty_to_date`` on the day it is paid (or on the
business date while unpaid), paid before its interest and principal (the default waterfall); a payoff as
``prepayment_post`` writes it (a new schedule version ending on the payoff date with the interest to date).

The history the daily runs before the business date B would have left (``_History``): the run of day D computes as
of D + 1 and sees the payments valued by D; it covers D from the start date up to B − 1 or the day before the loan
was settled (a settling payment closes the loan before its day's run). ``SimLoan.changes`` holds every
``BucketChange`` (D, from, to, DPD as of D + 1), ``SimLoan.snapshots`` the ``LoanSnapshot`` of every month-end in
that range; the loan's DPD, bucket and class are those the last run left (a payment changes none of them, so a
loan paid off or cured on B keeps them until the next run), its status the one the payments left.

Invariants: the principal column of the current version sums to the principal; paid ≤ due per component; accrued
≥ paid; every transaction's parts sum to its amount; the same ``(seed, index)`` gives the same loan; the bucket is
the last change's ``to`` bucket (the first band's without change), one change per day at most.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from loancrm.core.money import ZERO
from loancrm.loans.schedule import Method, build_schedule, due_dates
from loancrm.servicing.overdue import Band, band_for, days_past_due, interest_to_date, penalty_rate, penalty_to_date

_REFERENCE_START = dt.date(2001, 1, 15)  # amounts of a monthly schedule do not depend on its dates


@dataclass(frozen=True)
class Product:
    code: str
    weight: int
    methods: tuple[str, ...]
    terms: tuple[int, ...]
    principal_k: tuple[int, int, int]  # from, to, step: thousands of yuan (a few values: schedules are cached)
    rates: tuple[str, ...]


PRODUCTS: tuple[Product, ...] = (
    Product("CONSUMER", 60, (Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL), (6, 12, 24, 36), (5, 200, 5),
            ("0.0720", "0.0960", "0.1200", "0.1500", "0.1800")),
    Product("CAR", 20, (Method.EQUAL_INSTALLMENT,), (24, 36), (60, 300, 10), ("0.0650", "0.0780", "0.0880")),
    Product("BRIDGE", 5, (Method.BULLET, Method.INTEREST_ONLY), (3, 6, 12), (50, 300, 10), ("0.0900", "0.1080")),
    Product("SME", 15, (Method.INTEREST_ONLY, Method.EQUAL_PRINCIPAL), (12, 24), (300, 2000, 50),
            ("0.0600", "0.0720", "0.0850")),
)  # fmt: skip


@dataclass(frozen=True)
class RollMatrix:
    """Monthly probabilities. ``miss``/``payoff`` for a loan with nothing in arrears; ``cure[s]``/``stay[s]`` for
    one with ``s`` instalments in arrears (the last entry for every larger ``s``); the rest rolls one further."""

    miss: float = 0.04
    payoff: float = 0.01
    cure: tuple[float, ...] = (0.0, 0.55, 0.30, 0.15, 0.05)
    stay: tuple[float, ...] = (0.0, 0.10, 0.15, 0.15, 0.10)

    def cure_stay(self, arrears: int) -> tuple[float, float]:
        k = min(arrears, len(self.cure) - 1)
        return self.cure[k], self.stay[k]


@dataclass(frozen=True)
class Rules:
    """What the end-of-day rules say for every product (grace, penalty multiplier, compound) and the bands."""

    buckets: tuple[Band, ...]
    classes: tuple[Band, ...]
    grace_days: int = 0
    multiplier: Decimal = Decimal("1.50")
    compound: bool = True
    day_count: int = 360


@dataclass
class Row:
    period: int
    due_date: dt.date
    principal_due: Decimal
    interest_due: Decimal
    version: int = 1
    penalty_due: Decimal = ZERO
    interest_accrued: Decimal = ZERO
    penalty_rate: Decimal | None = None
    compound_rate: Decimal | None = None
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    status: str = "pending"
    paid_on: dt.date | None = None


@dataclass
class Txn:
    kind: str
    value_date: dt.date
    amount: Decimal
    parts: list[tuple[int, str, Decimal]] = field(default_factory=list)  # (row index, component, amount)
    from_version: int | None = None
    to_version: int | None = None

    def total(self, component: str) -> Decimal:
        return sum((a for _r, c, a in self.parts if c == component), ZERO)


BucketMove = tuple[dt.date, str, str, int]  # (business date of the run, from bucket, to bucket, DPD as of the next day)


class Snapshot(NamedTuple):
    """A loan as the end-of-day run of a month's last day left it (``month``: the month's first day)."""

    month: dt.date
    status: str
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    dpd: int
    bucket: str
    risk_class: str


@dataclass
class SimLoan:
    index: int
    product_code: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    method: str
    start_date: dt.date
    maturity_date: dt.date
    rows: list[Row]  # every version; ``schedule_version`` selects the current one
    txns: list[Txn]
    changes: list[BucketMove] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    schedule_version: int = 1
    status: str = "active"
    paid_off_on: dt.date | None = None
    dpd: int = 0
    bucket: str = "M0"
    risk_class: str = "normal"

    def current(self) -> list[Row]:
        return [row for row in self.rows if row.version == self.schedule_version]

    @property
    def principal_outstanding(self) -> Decimal:
        return sum((r.principal_due - r.principal_paid for r in self.current()), ZERO)

    @property
    def interest_accrued(self) -> Decimal:
        return sum((r.interest_accrued for r in self.current()), ZERO)

    @property
    def penalty_charged(self) -> Decimal:
        return sum((r.penalty_due for r in self.current()), ZERO)


@lru_cache(maxsize=65536)
def _amounts(principal: Decimal, rate: Decimal, term: int, method: str) -> tuple[tuple[Decimal, Decimal], ...]:
    lines = build_schedule(principal=principal, annual_rate=rate, term_months=term, method=method,
                           start_date=_REFERENCE_START).lines  # fmt: skip
    return tuple((line.principal, line.interest) for line in lines)


@lru_cache(maxsize=65536)
def _dates(start: dt.date, term: int) -> tuple[dt.date, ...]:
    return tuple(due_dates(start, term))


def schedule_rows(principal: Decimal, rate: Decimal, term: int, method: str, start: dt.date) -> list[Row]:
    """The rows ``build_schedule`` gives (monthly amounts cached by terms; a bullet's interest counts its days)."""
    dates = _dates(start, term)
    if method == Method.BULLET:
        line = build_schedule(principal=principal, annual_rate=rate, term_months=term, method=method,
                              start_date=start).lines[0]  # fmt: skip
        return [Row(1, line.due_date, line.principal, line.interest)]
    return [Row(k + 1, dates[k], p, i) for k, (p, i) in enumerate(_amounts(principal, rate, term, method))]


def _pick_product(rng: random.Random) -> Product:
    return rng.choices(PRODUCTS, weights=[p.weight for p in PRODUCTS])[0]


class _Sim:
    def __init__(self, loan: SimLoan, rules: Rules, business_date: dt.date):
        self.loan, self.rules, self.business_date = loan, rules, business_date
        self.rate = penalty_rate(loan.annual_rate, rules.multiplier)
        self.compound = self.rate if rules.compound else ZERO

    def _fix_rates(self, row: Row) -> None:
        row.penalty_rate, row.compound_rate = self.rate, self.compound

    def penalty(self, row: Row, as_of: dt.date) -> Decimal:
        return self.penalty_on(row, as_of, row.principal_due - row.principal_paid, row.interest_due - row.interest_paid)

    def penalty_on(self, row: Row, as_of: dt.date, principal: Decimal, interest: Decimal) -> Decimal:
        """Penalty and compound of ``row`` through ``as_of`` with ``principal`` and ``interest`` owed all along."""
        owed = penalty_to_date(
            due_date=row.due_date, as_of=as_of, principal_outstanding=principal, interest_outstanding=interest,
            rate=self.rate, compound_rate=self.compound, day_count=self.rules.day_count,
            grace_days=self.rules.grace_days,
        )  # fmt: skip
        return owed.total

    def pay_rows(self, indexes: list[int], on: dt.date) -> None:
        """One repayment on ``on`` paying the rows (oldest first) in full: penalty, interest, principal."""
        txn = Txn("repayment", on, ZERO)
        for index in indexes:
            row = self.loan.rows[index]
            row.interest_accrued = row.interest_due  # accrued in full by its due date
            if row.due_date < on:
                self._fix_rates(row)
                row.penalty_due = self.penalty(row, on)
            for component, amount in (
                ("penalty", row.penalty_due - row.penalty_paid),
                ("interest", row.interest_due - row.interest_paid),
                ("principal", row.principal_due - row.principal_paid),
            ):
                if amount > 0:
                    txn.parts.append((index, component, amount))
                    txn.amount += amount
            row.penalty_paid, row.interest_paid, row.principal_paid = (
                row.penalty_due,
                row.interest_due,
                row.principal_due,
            )
            row.status, row.paid_on = "paid", on
        if txn.amount > 0:
            self.loan.txns.append(txn)

    def payoff(self, current: int, on: dt.date, period_start: dt.date) -> None:
        """``prepayment_post(payoff=True)`` on ``on``, inside period ``current`` with nothing in arrears."""
        loan = self.loan
        old = [row for row in loan.rows if row.version == 1]
        head_old = old[current]
        head_old.interest_accrued = interest_to_date(head_old.interest_due, period_start, head_old.due_date, on)
        head_old.status = "pending"
        to_date = head_old.interest_accrued
        remaining = sum((row.principal_due for row in old[current:]), ZERO)
        copies = [Row(**{**row.__dict__, "version": 2}) for row in old[:current]]
        head = Row(head_old.period, on, remaining, to_date, version=2, interest_accrued=to_date,
                   interest_paid=to_date, principal_paid=remaining, status="paid", paid_on=on)  # fmt: skip
        base = len(loan.rows)
        loan.rows.extend([*copies, head])
        txn = Txn("payoff", on, remaining + to_date, from_version=1, to_version=2)
        if to_date > 0:
            txn.parts.append((base + current, "interest", to_date))
        txn.parts.append((base + current, "principal", remaining))
        loan.txns.append(txn)
        loan.schedule_version, loan.maturity_date = 2, on
        loan.status, loan.paid_off_on = "paid_off", on

    def finish(self) -> None:
        """Statuses, accrual and penalty as the business date opens (DPD, bucket and class: ``_record_history``)."""
        loan, as_of = self.loan, self.business_date
        if loan.status == "paid_off":
            return
        rows = loan.current()
        oldest = None
        previous = loan.start_date
        for row in rows:
            if row.status != "paid":
                row.interest_accrued = interest_to_date(row.interest_due, previous, row.due_date, as_of)
                if row.due_date < as_of:
                    self._fix_rates(row)
                    row.penalty_due = self.penalty(row, as_of)
                    row.status = "overdue"
                    oldest = oldest or row.due_date
                elif row.due_date == as_of:
                    row.status = "due"
            previous = row.due_date
        if all(row.status == "paid" for row in rows):
            loan.status, loan.paid_off_on = "paid_off", max(row.paid_on for row in rows if row.paid_on)
            return
        loan.status = "overdue" if days_past_due(oldest, as_of, self.rules.grace_days) > 0 else "active"


_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=4096)
def month_ends(first: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The last days of months E with ``first`` <= E < ``end``."""
    out: list[dt.date] = []
    day = first.replace(day=1)
    while True:
        day = (day + dt.timedelta(days=32)).replace(day=1)
        last = day - _DAY
        if last >= end:
            return tuple(out)
        if last >= first:
            out.append(last)


class _History:
    """The loan as every past end-of-day run left it. The run of day D computes as of X = D + 1 and sees the
    payments valued by D, so a row is unpaid at X when it is not paid or paid on X or later. Runs cover D from
    the start date to the day before ``end`` (the business date, or the payoff: a payment settling the loan closes
    it before that day's run). Only version 1 matters: version 2 exists from the payoff, when the loan is closed.
    Rows are paid whole, on or after their due date (only the payoff's version 2 pays early)."""

    def __init__(self, sim: _Sim, business_date: dt.date):
        loan = sim.loan
        self.sim, self.rules, self.start = sim, sim.rules, loan.start_date
        self.end = min(business_date, loan.paid_off_on or business_date)
        self.rows = [row for row in loan.rows if row.version == 1]
        self.dues = [row.due_date for row in self.rows]
        self.late = [r for r in self.rows if r.due_date < self.end and (r.paid_on is None or r.paid_on > r.due_date)]
        self._suffix: list[Decimal] | None = None
        self.calm = (ZERO, 0, sim.rules.buckets[0].code, sim.rules.classes[0].code)  # no penalty, no DPD

    def overdue(self, x: dt.date) -> list[Row]:
        """The rows unpaid at ``x`` and due before it, oldest first."""
        return [r for r in self.late if r.due_date < x and (r.paid_on is None or r.paid_on >= x)]

    def dpd(self, x: dt.date, overdue: list[Row] | None = None) -> int:
        rows = self.overdue(x) if overdue is None else overdue
        return days_past_due(rows[0].due_date if rows else None, x, self.rules.grace_days)

    def changes(self) -> list[BucketMove]:
        """Every run whose bucket differs from the previous one's (a new loan starts in the first bucket). Between
        the days a late row starts or stops counting the oldest is fixed and DPD grows by a day, so the bucket can
        only change on those days and where DPD reaches grace + 1 or a band's first day."""
        marks = {self.rules.grace_days + 1, *(b.min_dpd for b in self.rules.buckets)}
        points: set[dt.date] = set()
        for row in self.late:
            points.update(row.due_date + dt.timedelta(days=m) for m in marks)
            if row.paid_on:
                points.add(row.paid_on + _DAY)
        first, bucket, moves = self.start + _DAY, self.rules.buckets[0].code, []
        for x in sorted(p for p in points if first <= p <= self.end):
            dpd = self.dpd(x)
            to = band_for(dpd, self.rules.buckets)
            if to != bucket:
                moves.append((x - _DAY, bucket, to, dpd))
                bucket = to
        return moves

    def snapshot(self, last: dt.date) -> Snapshot:
        """The run of ``last`` (a month's last day), as of the next day."""
        x = last + _DAY
        k = bisect_right(self.dues, last)  # the first row due on x or later: accruing, all later rows unpaid
        principal, interest = self.unpaid_principal[k], ZERO
        if k < len(self.rows):
            begins = self.dues[k - 1] if k else self.start
            interest = interest_to_date(self.rows[k].interest_due, begins, self.dues[k], x)
        overdue = self.overdue(x) if self.late else []
        if not overdue:
            return Snapshot(last.replace(day=1), "active", principal, interest, *self.calm)
        penalty = ZERO
        for row in overdue:
            principal += row.principal_due
            interest += row.interest_due
            penalty += self.sim.penalty_on(row, x, row.principal_due, row.interest_due)
        dpd = self.dpd(x, overdue)
        return Snapshot(last.replace(day=1), "overdue" if dpd > 0 else "active", principal, interest, penalty, dpd,
                        band_for(dpd, self.rules.buckets), band_for(dpd, self.rules.classes))  # fmt: skip

    @property
    def unpaid_principal(self) -> list[Decimal]:
        """Principal of the rows from k on, by k (the rows after X are all unpaid)."""
        if self._suffix is None:
            self._suffix = [*reversed(list(accumulate((r.principal_due for r in reversed(self.rows)), initial=ZERO)))]
        return self._suffix

    def snapshots(self) -> list[Snapshot]:
        return [self.snapshot(last) for last in month_ends(self.start, self.end)]


def bucket_changes(loan: SimLoan, rules: Rules, business_date: dt.date) -> list[BucketMove]:
    """The ``BucketChange`` rows the daily runs before ``business_date`` would have written for ``loan``."""
    return _History(_Sim(loan, rules, business_date), business_date).changes()


def month_end_snapshots(loan: SimLoan, rules: Rules, business_date: dt.date) -> list[Snapshot]:
    """The ``LoanSnapshot`` rows of the month-ends before ``business_date`` (while the loan was open)."""
    return _History(_Sim(loan, rules, business_date), business_date).snapshots()


def _record_history(sim: _Sim, business_date: dt.date) -> None:
    """Bucket changes and snapshots; DPD, bucket and class as the last run left them (a payment changes none)."""
    history = _History(sim, business_date)
    loan = sim.loan
    loan.changes, loan.snapshots = history.changes(), history.snapshots()
    loan.dpd = history.dpd(history.end)
    loan.bucket = band_for(loan.dpd, sim.rules.buckets)
    loan.risk_class = band_for(loan.dpd, sim.rules.classes)


def simulate(
    seed: int,
    index: int,
    *,
    business_date: dt.date,
    months: int,
    rules: dict[str, Rules],
    matrix: RollMatrix,
    transitions: Counter[tuple[int, str]] | None = None,
) -> SimLoan:
    """Loan number ``index`` of the portfolio ``seed``: terms, schedule and history to ``business_date``.
    ``rules`` by product code ("" for every other product); ``transitions`` (optional) counts (arrears before,
    outcome) at every due date, for calibration."""
    rng = random.Random(seed * 10_000_019 + index)  # noqa: S311 (synthetic data, reproducible)
    product = _pick_product(rng)
    method = rng.choice(product.methods)
    term = rng.choice(product.terms)
    low, high, step = product.principal_k
    principal = Decimal(rng.randrange(low, high + 1, step) * 1000).quantize(Decimal("0.01"))
    rate = Decimal(rng.choice(product.rates)).quantize(Decimal("0.000001"))
    start = business_date - dt.timedelta(days=rng.randint(1, max(1, months * 365 // 12)))
    rows = schedule_rows(principal, rate, term, method, start)
    loan = SimLoan(index, product.code, principal, rate, term, method, start, rows[-1].due_date, rows, [])
    sim = _Sim(loan, rules.get(product.code) or rules[""], business_date)
    arrears: list[int] = []
    for k, row in enumerate(rows):
        on = row.due_date
        if on > business_date:  # the business date's own payments are in (its end of day has not run)
            break
        draw = rng.random()
        if not arrears:
            if k + 1 < len(rows) and draw < matrix.payoff:
                next_due = rows[k + 1].due_date
                sim.pay_rows([k], on)
                day = on + dt.timedelta(days=rng.randint(1, max(1, (next_due - on).days - 1)))
                if day <= business_date:
                    sim.payoff(k + 1, day, on)
                    _count(transitions, 0, "payoff")
                    _record_history(sim, business_date)
                    return loan
                _count(transitions, 0, "pay")
            elif draw < matrix.payoff + matrix.miss:
                arrears.append(k)
                _count(transitions, 0, "roll")
            else:
                sim.pay_rows([k], on)
                _count(transitions, 0, "pay")
        else:
            cure, stay = matrix.cure_stay(len(arrears))
            before = len(arrears)
            if draw < cure:
                sim.pay_rows([*arrears, k], on)
                arrears = []
                _count(transitions, before, "cure")
            elif draw < cure + stay:
                sim.pay_rows([arrears.pop(0)], on)
                arrears.append(k)
                _count(transitions, before, "stay")
            else:
                arrears.append(k)
                _count(transitions, before, "roll")
    sim.finish()
    _record_history(sim, business_date)
    return loan


def _count(transitions: Counter[tuple[int, str]] | None, arrears: int, outcome: str) -> None:
    if transitions is not None:
        transitions[(arrears, outcome)] += 1
