"""The penalty valued by PostgreSQL (``penalty_sql``) equals the pure maths valued in Python, instalment by
instalment, over loans with late, partial and back-dated payments under different overdue rules."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection, transaction

from loancrm.loans.models import Installment
from loancrm.loans.services import payment_post
from loancrm.loans.tests.factories import make_loan
from loancrm.servicing.eod import partition, penalty, penalty_sql, sql
from loancrm.servicing.models import OverdueRule
from loancrm.servicing.rules import Rules
from loancrm.servicing.tests.support import run_until

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the SQL valuation is PostgreSQL's"),
]
START = dt.date(2026, 1, 15)
FIELDS = ("id", "penalty_due", "penalty_rate", "compound_rate", "status", "paid_on")


def _book(rng: random.Random) -> None:
    OverdueRule.objects.create(product_code="GRACE3", grace_days=3, penalty_multiplier=Decimal("1.30"))
    OverdueRule.objects.create(product_code="SIMPLE", compound=False, day_count=365)
    products = ["CONSUMER", "GRACE3", "SIMPLE"]
    for n in range(18):
        make_loan(
            product_code=products[n % 3], principal=Decimal(rng.randrange(5_000, 200_000)),
            annual_rate=Decimal(rng.choice(["0.0435", "0.06", "0.1299", "0.18", "0.2399"])),
            term_months=rng.choice([3, 6, 12]), method=rng.choice(["equal_installment", "equal_principal"]),
            start_date=START,
        )  # fmt: skip


def _late_payments(rng: random.Random, today: dt.date) -> None:
    from loancrm.loans.models import Loan

    for loan in Loan.objects.order_by("pk"):
        if rng.random() < 0.6:
            back = today - dt.timedelta(days=rng.randrange(0, 20))
            amount = Decimal(rng.randrange(100, 9_000)).quantize(Decimal("0.01"))
            payment_post(loan_id=loan.pk, amount=amount, value_date=max(back, START), actor=None)


def _valued(value, as_of: dt.date) -> list[tuple]:
    """The instalments after valuing the penalty of every open loan with ``value``, rolled back."""
    with transaction.atomic():
        partition.collect_rows(0, 2**62, as_of)
        sql.scratch_table(partition.DELTA, partition.DELTA_COLUMNS)
        changed = value(as_of)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT installment_id, penalty_fen FROM {partition.DELTA} ORDER BY installment_id")  # noqa: S608
            deltas = cursor.fetchall()
        rows = list(Installment.objects.order_by("id").values_list(*FIELDS))
        transaction.set_rollback(True)
    return [changed, deltas, rows]


def test_sql_and_python_value_every_instalment_alike():
    rng = random.Random(20261201)
    _book(rng)
    checked = 0
    for day in (dt.date(2026, 3, 10), dt.date(2026, 4, 27), dt.date(2026, 6, 3)):
        run_until(day - dt.timedelta(days=1))
        as_of = day + dt.timedelta(days=5)  # five days beyond what the batch has valued
        in_sql = _valued(lambda on: penalty_sql.accrue_penalty(on, 0, 2**62, partition.ROWS, partition.DELTA), as_of)
        in_python = _valued(
            lambda on: penalty.accrue_penalty_in_python(on, Rules(), partition.ROWS, partition.DELTA), as_of
        )
        assert in_sql == in_python
        checked += in_sql[0]
        _late_payments(rng, day - dt.timedelta(days=1))
    assert checked > 50  # the comparison covered many overdue instalments
