"""The pages and the JSON API call the same services; roles see what they may."""

from __future__ import annotations

import pytest

from loancrm.accounts.tests.factories import PASSWORD
from loancrm.disbursements.choices import OrderStatus
from loancrm.disbursements.models import BankAccountVerification, DisbursementOrder
from loancrm.disbursements.tests.factories import make_signed, verify_account

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_queue_shows_ready_and_blocked_rows_with_their_checklist(client, people, checks, today):
    ready = make_signed(people["agent"])
    verify_account(ready, people["ops"])
    blocked = make_signed(people["agent"])
    page = _login(client, people["ops"]).get("/disbursements/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ready.number in html and blocked.number in html
    assert 'data-ready="1"' in html and 'data-ready="0"' in html
    only_blocked = client.get("/disbursements/?ready=blocked").content.decode()
    assert blocked.number in only_blocked and ready.number not in only_blocked


def test_the_director_views_but_may_not_request(client, people, checks, today):
    application = make_signed(people["agent"])
    _login(client, people["director"])
    assert client.get(f"/disbursements/application/{application.pk}/").status_code == 200
    assert client.post(f"/disbursements/application/{application.pk}/request/").status_code == 403
    assert DisbursementOrder.objects.count() == 0


def test_a_reviewer_has_no_disbursement_pages(client, people, today):
    _login(client, people["reviewer"])
    assert client.get("/disbursements/").status_code == 403


def test_page_flow_penny_test_request_and_loan_link(client, people, checks, today, django_capture_on_commit_callbacks):
    application = make_signed(people["agent"])
    _login(client, people["ops"])
    url = f"/disbursements/application/{application.pk}/"
    client.post(url + "penny/start/", {"bank_name": "中国银行", "account_no": "6216610100001234567",
                                       "holder_name": application.customer.name})  # fmt: skip
    account = BankAccountVerification.objects.get()
    assert "penny-simulator-note" in client.get(url).content.decode()
    client.post(url + "penny/confirm/", {"amount": str(account.penny_amount)})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "request/", {"idempotency_key": "page-1"})
    assert response.status_code == 302
    order = DisbursementOrder.objects.get()
    assert order.status == OrderStatus.SUCCEEDED
    html = client.get(url).content.decode()
    assert f"/loans/{order.loan_id}/" in html and 'data-status="succeeded"' in html


def test_refused_request_on_the_page_lists_the_failed_items(client, people, checks, today):
    application = make_signed(people["agent"])
    _login(client, people["ops"])
    response = client.post(f"/disbursements/application/{application.pk}/request/", follow=True)
    assert "No disbursement account yet" in response.content.decode() or "尚无放款账户" in response.content.decode()
    assert DisbursementOrder.objects.count() == 0


def test_api_request_and_status(client, people, checks, today, django_capture_on_commit_callbacks):
    application = make_signed(people["agent"])
    _login(client, people["ops"])
    status = client.get(f"/api/v1/disbursements/applications/{application.pk}").json()
    assert status["ready"] is False
    assert [c["code"] for c in status["checklist"] if not c["passed"]] == ["bank_account"]
    refused = client.post(f"/api/v1/disbursements/applications/{application.pk}/request", {},
                          content_type="application/json")  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (400, "disbursement_checklist_failed")
    verify_account(application, people["ops"])
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/api/v1/disbursements/applications/{application.pk}/request",
                           {"idempotency_key": "api-1"}, content_type="application/json")  # fmt: skip
    assert done.status_code == 200
    assert done.json()["status"] == "submitted" or done.json()["status"] == "created"
    after = client.get(f"/api/v1/disbursements/applications/{application.pk}").json()
    assert after["order"]["status"] == "succeeded" and after["order"]["loan_id"] is not None
    again = client.post(f"/api/v1/disbursements/applications/{application.pk}/request",
                        {"idempotency_key": "api-1"}, content_type="application/json")  # fmt: skip
    assert again.json()["id"] == done.json()["id"]
    assert DisbursementOrder.objects.count() == 1


def test_email_outbox_tab(client, people):
    from loancrm.messaging.services import send_email

    send_email("zhao@example.com", "credit_rejected", {"name": "赵六", "number": "A000000009", "reasons": "-"})
    _login(client, people["ops"])
    html = client.get("/messaging/email/").content.decode()
    assert "z***@example.com" in html and "A000000009" in html
    assert 'data-testid="email-tab"' in client.get("/messaging/sms/").content.decode()
