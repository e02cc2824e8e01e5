"""A signed application from penny test to booked loan, and the ways the channel's answer can go."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import Sum

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.disbursements import services
from loancrm.disbursements.choices import AttemptStatus, OrderStatus
from loancrm.disbursements.models import DisbursementOrder
from loancrm.disbursements.tests.factories import FAILING_ACCOUNT, make_signed, verify_account
from loancrm.ledger.choices import Acct
from loancrm.ledger.models import JournalLine
from loancrm.messaging.models import ApplicationNotice, SmsMessage

pytestmark = pytest.mark.django_db


def test_success_books_the_loan_with_a_balanced_journal_and_moves_application_and_notifies(
    people, checks, today, django_capture_on_commit_callbacks
):
    # given a signed application of a customer with an e-mail address and a verified account
    application = make_signed(people["agent"])
    application.customer.email = "lisi@example.com"
    application.customer.save()
    verify_account(application, people["ops"])
    # when operations requests the disbursement and the simulator answers
    with django_capture_on_commit_callbacks(execute=True):
        order = services.disbursement_request(application_id=application.pk, actor=people["ops"])
    # then the order succeeded after one attempt and booked the loan of the contract
    order.refresh_from_db()
    assert order.status == OrderStatus.SUCCEEDED
    assert [a.status for a in order.attempt_rows.all()] == [AttemptStatus.SUCCEEDED]
    loan = order.loan
    assert loan.contract_no == order.contract_no == "HT" + application.number[1:]
    assert loan.principal == Decimal("50000.00") and loan.start_date == today
    assert loan.installments.count() == 12
    # and the journal balances, the principal receivable holding the amount
    lines = JournalLine.objects.filter(loan=loan)
    totals = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    assert totals["d"] == totals["c"] == Decimal("50000.00")
    assert lines.get(account__code=Acct.PRINCIPAL).debit == Decimal("50000.00")
    # and the application is disbursed
    assert Application.objects.get(pk=application.pk).status == Status.DISBURSED
    # and the customer got the disbursement notice by SMS and e-mail
    notice = ApplicationNotice.objects.get(application=application, kind="disbursed")
    assert notice.sms.template_code == "loan_disbursed"
    assert "尾号3445" in notice.sms.text and "50000.00元" in notice.sms.text
    assert mail.outbox[-1].to == ["lisi@example.com"]
    assert mail.outbox[-1].subject == f"您的借款{loan.contract_no}已放款"
    assert notice.email.status == "sent"


def test_failure_then_retry_to_a_new_account_succeeds(people, checks, today, django_capture_on_commit_callbacks):
    # given a verified account the simulator refuses (ends in 0000)
    application = make_signed(people["agent"])
    verify_account(application, people["ops"], FAILING_ACCOUNT)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.disbursement_request(application_id=application.pk, actor=people["ops"])
    order.refresh_from_db()
    # then the order failed with the channel's reason, and the application is still signed
    assert order.status == OrderStatus.FAILED and order.failure_reason == "账户状态异常"
    assert order.loan is None
    assert Application.objects.get(pk=application.pk).status == Status.SIGNED
    # when a new request is made, it is refused: the failed order must be retried or cancelled
    with pytest.raises(services.OrderConflict):
        services.disbursement_request(application_id=application.pk, actor=people["ops"])
    # when the customer gives another account and operations retries
    verify_account(application, people["ops"])
    with django_capture_on_commit_callbacks(execute=True):
        services.disbursement_retry(order_id=order.pk, actor=people["ops"])
    order.refresh_from_db()
    # then the same order paid on its second attempt
    assert order.status == OrderStatus.SUCCEEDED and order.attempts == 2
    assert [a.status for a in order.attempt_rows.all()] == [AttemptStatus.FAILED, AttemptStatus.SUCCEEDED]
    assert order.account.account_tail == "3445"
    assert DisbursementOrder.objects.count() == 1


def test_cancel_a_failed_order_allows_a_new_request_or_cancels_the_application(
    people, checks, today, django_capture_on_commit_callbacks
):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"], FAILING_ACCOUNT)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.disbursement_request(application_id=application.pk, actor=people["ops"])
    # a cancellation needs a reason (and writes nothing without one)
    with pytest.raises(services.ValidationFailed):
        services.disbursement_cancel(order_id=order.pk, actor=people["ops"], reason="  ")
    assert DisbursementOrder.objects.get(pk=order.pk).status == OrderStatus.FAILED
    services.disbursement_cancel(order_id=order.pk, actor=people["ops"], reason="客户更换账户")
    assert DisbursementOrder.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert Application.objects.get(pk=application.pk).status == Status.SIGNED
    # a new request is allowed after the cancellation
    verify_account(application, people["ops"])
    with django_capture_on_commit_callbacks(execute=True):
        second = services.disbursement_request(application_id=application.pk, actor=people["ops"])
    assert second.pk != order.pk
    assert DisbursementOrder.objects.get(pk=second.pk).status == OrderStatus.SUCCEEDED


def test_cancel_with_the_application(people, checks, today, django_capture_on_commit_callbacks):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"], FAILING_ACCOUNT)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.disbursement_request(application_id=application.pk, actor=people["ops"])
    services.disbursement_cancel(order_id=order.pk, actor=people["ops"], reason="客户放弃借款", cancel_application=True)
    assert Application.objects.get(pk=application.pk).status == Status.CANCELLED
    # a succeeded order cannot be cancelled, a submitted one neither
    with pytest.raises(services.OrderNotCancellable):
        services.disbursement_cancel(order_id=order.pk, actor=people["ops"], reason="再次")


def test_sms_without_email_when_the_customer_has_none(people, checks, today, django_capture_on_commit_callbacks):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    with django_capture_on_commit_callbacks(execute=True):
        services.disbursement_request(application_id=application.pk, actor=people["ops"])
    notice = ApplicationNotice.objects.get(application=application, kind="disbursed")
    assert notice.email is None
    assert SmsMessage.objects.filter(template_code="loan_disbursed").count() == 1
