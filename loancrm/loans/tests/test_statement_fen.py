"""``statements.fen.repay`` (whole fen) does exactly what the single path's Decimal pieces do: ``allocate_payment``
over ``open_dues`` of the whole schedule, ``Posting.apply``, ``status_after_change`` and ``loan_after``. No
database: unsaved model instances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from loancrm.core.money import fen, fen_str
from loancrm.loans.allocation import COMPONENTS, allocate_payment
from loancrm.loans.choices import InstallmentStatus, LoanStatus
from loancrm.loans.models import Installment, Loan
from loancrm.loans.rows import open_dues, status_after_change
from loancrm.loans.services.settlement import Posting, loan_after
from loancrm.loans.statements import fen as fen_mod

BUSINESS_DATE = dt.date(2026, 6, 20)
FIRST_DUE = dt.date(2026, 1, 15)
money = st.integers(min_value=0, max_value=2_000_000)


@st.composite
def schedules(draw):
    """(loan status, order, rows as dicts, payments as (fen, value date)): paid ≤ due per component."""
    rows = []
    for period in range(draw(st.integers(min_value=1, max_value=7))):
        due = [draw(money), draw(st.sampled_from([0, 0, 1500, 725])), draw(money), draw(money)]
        paid = [draw(st.integers(min_value=0, max_value=d)) if draw(st.booleans()) else 0 for d in due]
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            paid = list(due)
        accrued = draw(st.integers(min_value=0, max_value=due[2]))
        accrued = max(accrued, paid[2])
        shift = draw(st.sampled_from([0, 0, 0, -40])) if period else 0  # now and then out of period order
        due_date = FIRST_DUE + dt.timedelta(days=30 * period + shift)
        settled = due == paid
        if settled:
            status = InstallmentStatus.PAID.value
        elif due_date < BUSINESS_DATE:
            status = InstallmentStatus.OVERDUE.value
        elif due_date == BUSINESS_DATE:
            status = InstallmentStatus.DUE.value
        else:
            status = InstallmentStatus.PENDING.value
        rows.append({"pk": 100 + period, "due_date": due_date, "due": due, "paid": paid, "accrued": accrued,
                     "status": status, "paid_on": due_date if settled else None})  # fmt: skip
    overdue = any(r["status"] == InstallmentStatus.OVERDUE.value for r in rows)
    status = LoanStatus.OVERDUE.value if overdue and draw(st.booleans()) else LoanStatus.ACTIVE.value
    order = draw(st.permutations(COMPONENTS))
    days = st.dates(min_value=dt.date(2026, 1, 1), max_value=BUSINESS_DATE)
    payments = draw(st.lists(st.tuples(st.integers(min_value=1, max_value=3_000_000), days), min_size=1, max_size=4))
    return status, tuple(order), rows, payments


def _decimal_side(status, order, rows):
    loan = Loan(pk=1, contract_no="F-1", status=status, principal_outstanding=Decimal("0.00"),
                advance_balance=Decimal("0.00"), allocation_order=",".join(c.value for c in order))  # fmt: skip
    installments = []
    for r in rows:
        values = [Decimal(fen_str(v)) for v in (*r["due"], *r["paid"], r["accrued"])]
        installments.append(Installment(
            pk=r["pk"], loan_id=1, period=len(installments) + 1, due_date=r["due_date"],
            fee_due=values[0], penalty_due=values[1], interest_due=values[2], principal_due=values[3],
            fee_paid=values[4], penalty_paid=values[5], interest_paid=values[6], principal_paid=values[7],
            interest_accrued=values[8], status=r["status"], paid_on=r["paid_on"],
        ))  # fmt: skip
    return loan, installments


def _fen_side(status, order, rows):
    index = {c: n for n, c in enumerate(COMPONENTS)}
    loan = fen_mod.Loan(1, status, [index[c] for c in order], 0, 0, None, None)
    for r in rows:
        loan.add(fen_mod.Row(r["pk"], r["due_date"], list(r["due"]), list(r["paid"]), r["accrued"], r["status"],
                             r["paid_on"]))  # fmt: skip
    return loan


@settings(max_examples=300, deadline=None)
@given(schedules())
def test_fen_repay_equals_the_decimal_single_path(case):
    status, order, rows, payments = case
    loan, installments = _decimal_side(status, order, rows)
    fast = _fen_side(status, order, rows)
    for amount, value_date in payments:
        if loan.status not in (LoanStatus.ACTIVE, LoanStatus.OVERDUE):
            break
        # the single path
        amount_d = Decimal(fen_str(amount))
        allocation = allocate_payment(amount_d, open_dues(installments), value_date=value_date, order=order)
        posting = Posting(loan=loan, kind="repayment", amount=amount_d, value_date=value_date,
                          to_advance=allocation.advance)  # fmt: skip
        posting.apply(allocation, {row.pk: row for row in installments})
        for row in posting.changed.values():
            status_after_change(row, paid_on=value_date, business_date=BUSINESS_DATE)
        loan_after(loan, installments, advance_change=posting.advance_change, on=value_date,
                   business_date=BUSINESS_DATE)  # fmt: skip
        # the fen path
        payment = fen_mod.repay(fast, amount, value_date, BUSINESS_DATE)
        assert [(row.pk, name, fen(part)) for row, name, part in posting.parts] == [
            (row.pk, name, part) for row, name, part in payment.parts
        ]
        assert fen(allocation.advance) == payment.advance
        assert sorted(posting.changed) == sorted(payment.changed)
        for slow, quick in zip(installments, fast.rows, strict=True):
            assert [fen(slow.fee_paid), fen(slow.penalty_paid), fen(slow.interest_paid), fen(slow.principal_paid)] \
                == quick.paid  # fmt: skip
            assert (fen(slow.interest_accrued), slow.status, slow.paid_on) == (quick.accrued, quick.status,
                                                                               quick.paid_on)  # fmt: skip
        assert (fen(loan.principal_outstanding), fen(loan.advance_balance), loan.status, loan.paid_off_on,
                loan.maturity_date) == (fast.outstanding, fast.advance, fast.status, fast.paid_off_on,
                                        fast.maturity_date)  # fmt: skip


def test_status_values_are_those_of_the_choices():
    assert tuple(
        s.value for s in (InstallmentStatus.PAID, InstallmentStatus.OVERDUE, InstallmentStatus.DUE,
                          InstallmentStatus.PENDING)
    ) == (fen_mod.PAID, fen_mod.OVERDUE, fen_mod.DUE, fen_mod.PENDING)  # fmt: skip
    assert (LoanStatus.ACTIVE.value, LoanStatus.PAID_OFF.value) == (fen_mod.ACTIVE, fen_mod.PAID_OFF)
    assert tuple(c.value for c in COMPONENTS) == fen_mod.NAMES
