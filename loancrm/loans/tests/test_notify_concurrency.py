"""Fifty identical channel notifications at once: one posting, one notification row, fifty identical answers."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.loans.channels import channel_create
from loancrm.loans.choices import TxnKind
from loancrm.loans.models import Loan, LoanTransaction, PaymentNotification
from loancrm.loans.notifications import sign
from loancrm.loans.tests.factories import make_loan, set_business_date
from loancrm.loans.tests.test_notify import FIRST_DUE, SECRET, URL, body

PARALLEL = 50

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel transactions waiting on a unique index are a PostgreSQL test (SQLite serialises all writers)",
)


def _fire_together(raw: bytes, headers: dict[str, str]) -> list[tuple[int, bytes]]:
    barrier = threading.Barrier(PARALLEL)

    def fire(_n: int) -> tuple[int, bytes]:
        try:
            barrier.wait()
            response = Client().post(URL, raw, content_type="application/json", **headers)
            return response.status_code, response.content
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(fire, range(PARALLEL)))


@pytest.mark.django_db(transaction=True)
def test_fifty_identical_notifications_at_once_post_exactly_once(org):
    # given a channel and the reference loan with its first instalment due
    ops = make_user("ops1", role="operations", unit=org.hq)
    channel_create(code="ALIPAY", name="支付宝", secret=SECRET, actor=ops)
    loan = make_loan(contract_no="HT-NOTIFY-1")
    set_business_date(FIRST_DUE)
    raw = json.dumps(body()).encode()
    timestamp = str(int(time.time()))
    headers = {"HTTP_X_TIMESTAMP": timestamp, "HTTP_X_SIGNATURE": sign(SECRET, timestamp, raw)}
    # when fifty identical notifications arrive at the same moment, each on its own connection
    answers = _fire_together(raw, headers)
    # then every caller got the same answer, and exactly one repayment and one notification row exist
    assert len(set(answers)) == 1
    txn = LoanTransaction.objects.get(kind=TxnKind.REPAYMENT)
    assert answers[0] == (200, json.dumps({"result": "success", "transaction_id": txn.pk}).encode())
    assert PaymentNotification.objects.count() == 1
    assert PaymentNotification.objects.get().transaction_id == txn.pk
    assert txn.amount == Decimal("8606.64")
    assert Loan.objects.get(pk=loan.pk).principal_outstanding == Decimal("91893.36")
    # and the journal holds the booking and one repayment, balanced
    assert JournalEntry.objects.count() == 2
    totals = JournalLine.objects.aggregate(d=Sum("debit"), c=Sum("credit"))
    # booking 100,000 + repayment 8,606.64 + 500.00 interest recognised as it was paid before any accrual
    assert totals["d"] == totals["c"] == Decimal("109106.64")
