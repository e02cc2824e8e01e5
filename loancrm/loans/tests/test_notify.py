"""Signed channel notifications: ``POST /api/v1/payments/notify/{channel}``."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent, Notification
from loancrm.ledger.models import JournalLine, LedgerAccount
from loancrm.loans.channels import channel_create, channel_update
from loancrm.loans.choices import LoanStatus, NotificationResult, Source, TxnKind
from loancrm.loans.models import Loan, LoanTransaction, PaymentNotification
from loancrm.loans.notifications import notification_receive, sign
from loancrm.loans.tests.factories import make_loan, set_business_date

SECRET = "channel-secret-0123456789abcdef"
FIRST_DUE = dt.date(2026, 2, 15)
URL = "/api/v1/payments/notify/ALIPAY"


def body(**changes: Any) -> dict[str, Any]:
    values = {"channel_txn_id": "ALI-0001", "contract_no": "HT-NOTIFY-1", "amount": "8606.64",
              "paid_at": "2026-02-15T10:30:00+08:00"}  # fmt: skip
    values.update(changes)
    return values


def send(
    payload: dict[str, Any] | bytes,
    *,
    url: str = URL,
    secret: str = SECRET,
    timestamp: str | None = None,
    signature: str | None = None,
    **headers: Any,
) -> Any:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    extra = {"HTTP_X_TIMESTAMP": timestamp, "HTTP_X_SIGNATURE": signature or sign(secret, timestamp, raw), **headers}
    return Client().post(url, raw, content_type="application/json", **extra)


@pytest.fixture
def setup(org):
    ops = make_user("ops1", role="operations", unit=org.hq)
    channel = channel_create(code="ALIPAY", name="支付宝", secret=SECRET, actor=ops)
    loan = make_loan(contract_no="HT-NOTIFY-1")
    set_business_date(FIRST_DUE)
    return {"ops": ops, "channel": channel, "loan": loan}


def nothing_posted() -> bool:
    return not LoanTransaction.objects.filter(kind=TxnKind.REPAYMENT).exists()


@pytest.mark.django_db
def test_a_signed_notification_posts_the_repayment_through_the_channels_clearing_account(setup):
    # given the reference loan with its first instalment (8606.64) due today
    # when the channel notifies a payment of that instalment
    response = send(body())
    # then it is accepted, posted as a channel repayment with the exact split, and linked to the notification
    txn = LoanTransaction.objects.get(kind=TxnKind.REPAYMENT)
    assert response.status_code == 200
    assert response.json() == {"result": "success", "transaction_id": txn.pk}
    assert (txn.source, txn.channel_id, txn.reference, txn.value_date) == (
        Source.CHANNEL, setup["channel"].pk, "ALI-0001", FIRST_DUE,
    )  # fmt: skip
    assert (txn.amount, txn.principal, txn.interest) == (Decimal("8606.64"), Decimal("8106.64"), Decimal("500.00"))
    note = PaymentNotification.objects.get()
    assert (note.result, note.transaction_id, note.amount) == (NotificationResult.ACCEPTED, txn.pk, Decimal("8606.64"))
    clearing = LedgerAccount.objects.get(code="1002.9.ALIPAY")
    assert JournalLine.objects.get(entry=txn.journal_entry, account=clearing).debit == Decimal("8606.64")
    assert AuditEvent.objects.get(action="payment.posted").actor_repr == "channel:ALIPAY"


@pytest.mark.django_db
def test_the_value_date_is_the_local_date_of_paid_at(setup):
    # 17:30 UTC on the 14th is 01:30 on the 15th in Shanghai
    send(body(paid_at="2026-02-14T17:30:00+00:00"))
    assert LoanTransaction.objects.get(kind=TxnKind.REPAYMENT).value_date == FIRST_DUE


@pytest.mark.django_db
def test_a_payment_after_the_business_dates_cut_off_is_valued_on_the_business_date(setup):
    # the channel's clock is already on the 16th; end of day has not run, the business date is still the 15th
    send(body(paid_at="2026-02-16T00:10:00+08:00"))
    assert LoanTransaction.objects.get(kind=TxnKind.REPAYMENT).value_date == FIRST_DUE


@pytest.mark.django_db
def test_a_replay_gets_the_identical_answer_and_posts_nothing(setup):
    first = send(body())
    again = send(body())  # a fresh timestamp and signature: the channel retried
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert LoanTransaction.objects.filter(kind=TxnKind.REPAYMENT).count() == 1
    assert PaymentNotification.objects.count() == 1
    assert AuditEvent.objects.filter(action="payment.posted").count() == 1


@pytest.mark.django_db
def test_a_replay_with_another_body_is_a_conflicting_replay_alerted_and_not_stored(setup):
    send(body())
    response = send(body(amount="100.00"))
    assert response.status_code == 409
    assert response.json()["code"] == "conflicting_replay" and response.json()["result"] == "refused"
    assert PaymentNotification.objects.count() == 1
    assert LoanTransaction.objects.filter(kind=TxnKind.REPAYMENT).count() == 1
    event = AuditEvent.objects.get(action="payment.refused")
    assert event.data["code"] == "conflicting_replay" and event.data["stored"] is False
    assert Notification.objects.filter(recipient=setup["ops"], kind="loans.payment_refused").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "header"),
    [
        ({"signature": "0" * 64}, None),
        ({"signature": "not-hex-ü"}, None),
        ({"secret": "another-secret-0123456789abcdef"}, None),
        ({}, "HTTP_X_SIGNATURE"),
    ],
)
def test_a_bad_or_missing_signature_is_401_and_stores_nothing(setup, change, header):
    raw = json.dumps(body()).encode()
    timestamp = str(int(time.time()))
    if header:
        response = Client().post(URL, raw, content_type="application/json", HTTP_X_TIMESTAMP=timestamp)
    else:
        response = send(raw, timestamp=timestamp, **change)
    assert response.status_code == 401 and response.json()["code"] == "invalid_signature"
    assert not PaymentNotification.objects.exists() and nothing_posted()
    assert not AuditEvent.objects.filter(action="payment.refused").exists()


@pytest.mark.django_db
def test_the_signature_covers_the_timestamp(setup):
    raw = json.dumps(body()).encode()
    now = int(time.time())
    response = send(raw, timestamp=str(now), signature=sign(SECRET, str(now - 1), raw))
    assert response.status_code == 401 and nothing_posted()


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-400, 400, -3600, 86400])
def test_an_old_or_future_timestamp_is_401_and_stores_nothing(setup, offset):
    response = send(body(), timestamp=str(int(time.time()) + offset))
    assert response.status_code == 401 and response.json()["code"] == "invalid_timestamp"
    assert not PaymentNotification.objects.exists() and nothing_posted()


@pytest.mark.django_db
@pytest.mark.parametrize("timestamp", ["", "abc", "1.5e9", "-1"])
def test_a_malformed_timestamp_is_401(setup, timestamp):
    response = send(body(), timestamp=timestamp)
    assert response.status_code == 401 and response.json()["code"] == "invalid_timestamp"
    assert nothing_posted()


@pytest.mark.django_db
@pytest.mark.parametrize(("offset", "status"), [(-300, 200), (300, 200), (-301, 401), (301, 401)])
def test_the_window_is_five_minutes_either_side(setup, offset, status):
    raw = json.dumps(body()).encode()
    timestamp = "1770000000"
    answer = notification_receive(channel_code="ALIPAY", raw_body=raw, timestamp=timestamp,
                                  signature=sign(SECRET, timestamp, raw), now=1770000000 - offset)  # fmt: skip
    assert answer.status == status


@pytest.mark.django_db
def test_unknown_and_inactive_channels_get_the_same_answer_as_a_bad_signature(setup):
    unknown = send(body(), url="/api/v1/payments/notify/NOSUCH")
    channel_update(channel_id=setup["channel"].pk, actor=setup["ops"], is_active=False)
    inactive = send(body())
    bad = send(body(), url="/api/v1/payments/notify/NOSUCH", signature="ab" * 32)
    assert unknown.status_code == inactive.status_code == bad.status_code == 401
    assert unknown.json() == inactive.json() == bad.json()
    assert not PaymentNotification.objects.exists() and nothing_posted()


@pytest.mark.django_db
def test_a_rotated_secret_takes_effect_at_once(setup):
    channel_update(channel_id=setup["channel"].pk, actor=setup["ops"], secret="rotated-" + SECRET)
    assert send(body()).status_code == 401
    assert send(body(), secret="rotated-" + SECRET).status_code == 200


@pytest.mark.django_db
def test_an_unknown_contract_is_refused_stored_audited_and_alerted(setup):
    # given an operations user and an administrator (both hold manage_payment_channels)
    admin = make_user("admin1", role="administrator")
    # when a notification names a contract nobody has
    response = send(body(contract_no="HT-NOPE"))
    # then it is refused with a clear code, stored as refused, audited and sent to operations
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_contract" and response.json()["result"] == "refused"
    note = PaymentNotification.objects.get()
    assert (note.result, note.refusal_code) == (NotificationResult.REFUSED, "unknown_contract")
    assert note.transaction_id is None
    event = AuditEvent.objects.get(action="payment.refused")
    assert event.data["code"] == "unknown_contract" and event.data["contract_no"] == "HT-NOPE"
    recipients = set(Notification.objects.filter(kind="loans.payment_refused").values_list("recipient", flat=True))
    assert recipients == {setup["ops"].pk, admin.pk}
    assert nothing_posted()
    # a replay answers the same and alerts no more
    again = send(body(contract_no="HT-NOPE"))
    assert (again.status_code, again.content) == (response.status_code, response.content)
    assert Notification.objects.filter(kind="loans.payment_refused").count() == 2
    assert AuditEvent.objects.filter(action="payment.refused").count() == 1


@pytest.mark.django_db
def test_a_loan_that_is_not_open_is_refused(setup):
    Loan.objects.filter(pk=setup["loan"].pk).update(status=LoanStatus.PAID_OFF)
    response = send(body())
    assert response.status_code == 409 and response.json()["code"] == "loan_not_open"
    assert PaymentNotification.objects.get().refusal_code == "loan_not_open"
    assert nothing_posted()


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["100.123", "-5.00", "0", "0.00", "abc", "NaN", "Infinity", "1e3", 100.5, 100, None])
def test_a_bad_amount_is_refused_as_invalid_amount(setup, amount):
    response = send(body(amount=amount))
    assert response.status_code == 422 and response.json()["code"] == "invalid_amount"
    note = PaymentNotification.objects.get()
    assert (note.result, note.refusal_code, note.amount) == (NotificationResult.REFUSED, "invalid_amount", Decimal("0"))
    assert nothing_posted()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2]",
        json.dumps(body(channel_txn_id="")).encode(),
        json.dumps(body(channel_txn_id="x" * 65)).encode(),
        json.dumps(body(contract_no=None)).encode(),
        json.dumps(body(paid_at="2026-02-15T10:30:00")).encode(),  # no offset
        json.dumps(body(paid_at="yesterday")).encode(),
        '{"channel_txn_id": "\xff"}'.encode("latin-1"),
    ],
)
def test_a_malformed_body_is_400_and_stores_nothing(setup, raw):
    response = send(raw)
    assert response.status_code == 400 and response.json()["code"] == "invalid_body"
    assert not PaymentNotification.objects.exists() and nothing_posted()


@pytest.mark.django_db
def test_a_body_over_8_kib_is_413(setup):
    raw = json.dumps(body(padding="x" * 8200)).encode()
    response = send(raw)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert not PaymentNotification.objects.exists()


@pytest.mark.django_db
def test_refusals_read_in_english_on_request(setup):
    response = send(body(contract_no="HT-NOPE"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "No loan has this contract number."


@pytest.mark.django_db
def test_journal_stays_balanced_after_accepted_and_refused_notifications(setup):
    send(body())
    send(body(channel_txn_id="ALI-0002", amount="1.234"))
    send(body(channel_txn_id="ALI-0003", amount="50.00"))
    totals = JournalLine.objects.aggregate(d=Sum("debit"), c=Sum("credit"))
    assert totals["d"] == totals["c"]
    assert LoanTransaction.objects.filter(kind=TxnKind.REPAYMENT).count() == 2
    second = LoanTransaction.objects.get(reference="ALI-0003")  # pays the next instalment's interest first
    assert (second.interest, second.principal, second.advance) == (Decimal("50.00"), Decimal("0.00"), Decimal("0.00"))
