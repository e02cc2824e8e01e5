"""Twenty disbursement requests for one contract at once: one order, one channel submission, one loan."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import Sum

from loancrm.core.errors import Conflict
from loancrm.disbursements import services
from loancrm.disbursements.choices import OrderStatus
from loancrm.disbursements.models import DisbursementAttempt, DisbursementOrder
from loancrm.disbursements.tests.factories import make_signed, verify_account
from loancrm.ledger.models import JournalLine
from loancrm.loans.models import Loan

PARALLEL = 20

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel transactions on one row: PostgreSQL (SQLite serialises)"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keyed", [False, True], ids=["no-key", "same-key"])
def test_twenty_concurrent_requests_make_one_order_one_submission_one_loan(people, checks, today, keyed):
    # given a signed application with a verified account
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    barrier = threading.Barrier(PARALLEL)

    def fire(n: int) -> int | str:
        try:
            barrier.wait()
            key = "same-key" if keyed else None
            return services.disbursement_request(application_id=application.pk, actor=people["ops"],
                                                 idempotency_key=key).pk  # fmt: skip
        except Conflict as exc:
            return exc.code
        finally:
            connections.close_all()

    # when twenty requests arrive at once, each on its own connection
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        answers = list(pool.map(fire, range(PARALLEL)))
    # then every caller got the one order (or a clear conflict), submitted once, booked once
    order = DisbursementOrder.objects.get()
    assert set(answers) <= {order.pk, "disbursement_conflict"}
    assert answers.count(order.pk) >= 1
    assert order.status == OrderStatus.SUCCEEDED
    assert DisbursementAttempt.objects.count() == 1
    assert Loan.objects.count() == 1 and order.loan_id == Loan.objects.get().pk
    totals = JournalLine.objects.aggregate(d=Sum("debit"), c=Sum("credit"))
    assert totals["d"] == totals["c"] == order.amount
