"""The channel's signed callback: good, bad signature, stale, replayed, conflicting, unknown — through the API."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest

from loancrm.disbursements import services
from loancrm.disbursements.callbacks import signed_headers
from loancrm.disbursements.choices import OrderStatus
from loancrm.disbursements.models import DisbursementOrder
from loancrm.disbursements.tests.factories import make_signed, verify_account
from loancrm.loans.models import Loan

pytestmark = pytest.mark.django_db
URL = "/api/v1/disbursements/callback"


@pytest.fixture
def submitted(people, checks, today, monkeypatch, django_capture_on_commit_callbacks):
    """An order submitted to the channel whose simulator answer has not arrived (its task does nothing)."""
    from loancrm.disbursements import tasks

    monkeypatch.setattr(tasks, "simulator_answer_task", SimpleNamespace(enqueue=lambda *args, **kwargs: None))
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    with django_capture_on_commit_callbacks(execute=True):
        order = services.disbursement_request(application_id=application.pk, actor=people["ops"])
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    return order


def _body(order, **changes) -> bytes:
    body = {"channel_reference": order.channel_reference, "contract_no": order.contract_no, "amount": "50000.00",
            "status": "succeeded", "reason": ""} | changes  # fmt: skip
    return json.dumps(body).encode()


def _post(client, raw: bytes, timestamp: str | None = None, signature: str | None = None):
    stamp, sig = signed_headers(raw, timestamp=timestamp)
    return client.post(URL, raw, content_type="application/json", HTTP_X_TIMESTAMP=stamp,
                       HTTP_X_SIGNATURE=signature if signature is not None else sig)  # fmt: skip


def test_good_callback_books_and_a_replay_gets_the_same_answer(client, submitted, django_capture_on_commit_callbacks):
    raw = _body(submitted)
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, raw)
    assert first.status_code == 200
    assert first.json() == {"result": "success", "order_id": submitted.pk, "attempt": 1, "status": "succeeded"}
    assert DisbursementOrder.objects.get(pk=submitted.pk).status == OrderStatus.SUCCEEDED
    # the same callback again: same answer, still one loan
    again = _post(client, raw)
    assert (again.status_code, again.json()) == (200, first.json())
    assert Loan.objects.count() == 1
    # another body for the answered attempt is refused
    other = _post(client, _body(submitted, status="failed", reason="账户状态异常"))
    assert (other.status_code, other.json()["code"]) == (409, "conflicting_replay")
    assert DisbursementOrder.objects.get(pk=submitted.pk).status == OrderStatus.SUCCEEDED


def test_bad_signature_is_refused_and_changes_nothing(client, submitted):
    answer = _post(client, _body(submitted), signature="0" * 64)
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_signature")
    assert DisbursementOrder.objects.get(pk=submitted.pk).status == OrderStatus.SUBMITTED
    assert Loan.objects.count() == 0


def test_stale_timestamp_is_refused(client, submitted):
    answer = _post(client, _body(submitted), timestamp=str(int(time.time()) - 301))
    assert (answer.status_code, answer.json()["code"]) == (401, "invalid_timestamp")
    assert DisbursementOrder.objects.get(pk=submitted.pk).status == OrderStatus.SUBMITTED


def test_unknown_reference_and_wrong_amount_are_refused(client, submitted):
    unknown = _post(client, _body(submitted, channel_reference="SIMNOSUCH"))
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_reference")
    wrong = _post(client, _body(submitted, amount="50001.00"))
    assert (wrong.status_code, wrong.json()["code"]) == (422, "mismatch")
    assert DisbursementOrder.objects.get(pk=submitted.pk).status == OrderStatus.SUBMITTED


def test_malformed_body_is_refused(client, submitted):
    answer = _post(client, b'{"status": "maybe"}')
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_body")


def test_failure_callback_fails_the_order(client, submitted):
    answer = _post(client, _body(submitted, status="failed", reason="户名不符"))
    assert answer.status_code == 200
    order = DisbursementOrder.objects.get(pk=submitted.pk)
    assert (order.status, order.failure_reason) == (OrderStatus.FAILED, "户名不符")
