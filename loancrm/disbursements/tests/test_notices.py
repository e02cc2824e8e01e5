"""Decision notices (approval, refusal) sent after commit by SMS and e-mail; the lead follows the disbursement."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status
from loancrm.applications.tests.factories import make_application, make_customer, make_version
from loancrm.customers.tests.factories import make_lead
from loancrm.disbursements import services
from loancrm.disbursements.notices import plain_reasons
from loancrm.disbursements.tests.factories import TERMS, make_signed, verify_account
from loancrm.leads.choices import Stage
from loancrm.leads.models import Lead
from loancrm.messaging.models import ApplicationNotice, EmailMessageRecord, SmsMessage

pytestmark = pytest.mark.django_db


def _in_review(agent, **customer_extra):
    customer = make_customer(agent, **customer_extra)
    application = make_application(agent, customer, make_version())
    for status in (Status.SUBMITTED, Status.PRE_SCREENING, Status.MANUAL_REVIEW):
        application_set_status(application_id=application.pk, status=status, actor=agent)
    return application


def test_approval_notice_by_sms_and_email_after_commit(people, django_capture_on_commit_callbacks):
    application = _in_review(people["agent"], email="wangwu@example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lifecycle.credit_approve(application_id=application.pk, terms=TERMS, actor=people["reviewer"])
    assert len(callbacks) == 1
    notice = ApplicationNotice.objects.get(application=application)
    assert notice.kind == "credit_approved"
    assert notice.sms.text == (
        f"【信贷服务】您的借款申请{application.number}已审批通过：金额50000.00元，年利率14.40%，期限12个月。"
        "请留意签约通知，按提示签署借款合同。"
    )
    assert notice.sms.mobile == application.customer.primary_mobile.mobile
    sent = mail.outbox[-1]
    assert sent.to == ["wangwu@example.com"]
    assert sent.subject == f"您的借款申请{application.number}已审批通过"
    assert "还款方式：等额本息" in sent.body and "签署借款合同" in sent.body
    record = EmailMessageRecord.objects.get()
    assert (record.address, record.status, record.template_code) == ("wangwu@example.com", "sent", "credit_approved")


def test_a_rolled_back_approval_sends_nothing(people, django_capture_on_commit_callbacks):
    from django.db import transaction

    application = _in_review(people["agent"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                lifecycle.credit_approve(application_id=application.pk, terms=TERMS, actor=people["reviewer"])
                raise RuntimeError("the approval step failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert SmsMessage.objects.count() == 0 and ApplicationNotice.objects.count() == 0


def test_refusal_notice_gives_the_main_reasons_in_plain_words(people, django_capture_on_commit_callbacks):
    application = _in_review(people["agent"], email="wangwu@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.credit_reject(application_id=application.pk, actor=people["reviewer"],
                                reasons=["M02_DTI", "SCORE_BELOW_CUTOFF", "收入证明与银行流水不符"])  # fmt: skip
    notice = ApplicationNotice.objects.get(application=application)
    assert notice.kind == "credit_rejected"
    assert notice.sms.text == (
        f"【信贷服务】很抱歉，您的借款申请{application.number}未能通过审核。"
        "主要原因：加上本笔贷款后，您每月需要还款的金额占收入的比例较高；收入证明与银行流水不符。感谢您的信任。"
    )
    assert "SCORE_BELOW_CUTOFF" not in mail.outbox[-1].body


def test_plain_reasons_fall_back_to_a_generic_sentence(people):
    application = _in_review(people["agent"])
    with translation.override("zh-hans"):
        assert plain_reasons(application, ["SCORE_BELOW_CUTOFF", " "]) == ["本次申请不符合本产品的申请条件。"]
        assert plain_reasons(application, ["NO_CREDIT_CONSENT", "a", "b", "c"]) == [
            "由于没有您的征信查询授权，我们未能查询您的信用报告。",
            "a",
            "b",
        ]


def test_disbursement_moves_the_lead_to_disbursed(people, checks, today, django_capture_on_commit_callbacks):
    lead = make_lead(people["agent"], "13700001111", stage=Stage.APPLIED)
    application = make_signed(people["agent"])
    application.lead = lead
    application.save(update_fields=["lead"])
    verify_account(application, people["ops"])
    with django_capture_on_commit_callbacks(execute=True):
        services.disbursement_request(application_id=application.pk, actor=people["ops"])
    assert Lead.objects.get(pk=lead.pk).stage == Stage.DISBURSED


def test_a_signed_contract_tells_operations_and_a_failure_tells_the_requester(
    people, checks, today, django_capture_on_commit_callbacks
):
    from loancrm.core.models import Notification
    from loancrm.disbursements.tests.factories import FAILING_ACCOUNT

    other = _in_review(people["agent"])
    lifecycle.credit_approve(application_id=other.pk, terms=TERMS, actor=people["reviewer"])
    application_set_status(application_id=other.pk, status=Status.CONTRACTING, actor=people["agent"])
    lifecycle.contract_signed(other, people["agent"])
    ready = Notification.objects.get(kind="disbursements.contract_signed")
    assert ready.recipient == people["ops"] and ready.link == f"/disbursements/application/{other.pk}/"
    verify_account(other, people["ops"], FAILING_ACCOUNT)
    with django_capture_on_commit_callbacks(execute=True):
        services.disbursement_request(application_id=other.pk, actor=people["ops"])
    failed = Notification.objects.get(kind="disbursements.failed")
    assert failed.recipient == people["ops"] and "账户状态异常" in failed.body
