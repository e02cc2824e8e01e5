"""Correction requests: create, re-upload after submission, fulfilment with the owner's notification, cancel."""

from __future__ import annotations

import pytest

from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status
from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent, Notification
from loancrm.documents.choices import CorrectionStatus, DocStatus
from loancrm.documents.corrections import correction_request_cancel, correction_request_create, outstanding_types
from loancrm.documents.errors import CorrectionNotOpen, DocumentsClosed
from loancrm.documents.models import CorrectionRequest
from loancrm.documents.services import checklist, document_reject, document_upload
from loancrm.documents.tests.factories import jpeg, pdf

pytestmark = pytest.mark.django_db

ITEMS = [
    {"doc_type": "id_front", "reason": "照片模糊，看不清号码"},
    {"doc_type": "income_proof", "reason": "需加盖单位公章"},
]


def put(actor, application, doc_type, file):
    return document_upload(actor=actor, application_id=application.pk, doc_type=doc_type, file=file)


@pytest.fixture
def submitted(people, application):
    put(people["agent"], application, "id_front", jpeg(colour=(5, 5, 5)))
    put(people["agent"], application, "income_proof", pdf())
    application_set_status(application_id=application.pk, status=Status.SUBMITTED)
    return application


def test_the_lifecycle_from_request_to_fulfilled(people, submitted, principal):
    reviewer = people["reviewer"]
    with pytest.raises(DocumentsClosed):
        put(principal, submitted, "id_front", jpeg(colour=(7, 7, 7)))
    correction = correction_request_create(actor=reviewer, application_id=submitted.pk, items=ITEMS,
                                           message="请在三天内补传。")  # fmt: skip
    assert correction.status == CorrectionStatus.OPEN and correction.doc_types == ["id_front", "income_proof"]
    assert correction.due_date is not None
    assert AuditEvent.objects.get(action="document.correction_requested").data["items"] == ITEMS
    assert {i.doc_type: i.status for i in checklist(submitted)}["id_front"] == "correction"
    with pytest.raises(DocumentsClosed):
        put(principal, submitted, "bank_card", jpeg())  # not listed
    new_front = put(principal, submitted, "id_front", jpeg(colour=(8, 8, 8)))
    assert new_front.correction == correction
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.OPEN and outstanding_types(correction) == ["income_proof"]
    assert not Notification.objects.filter(kind="document.correction_fulfilled").exists()
    put(principal, submitted, "income_proof", pdf(pages=2))
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.FULFILLED and correction.fulfilled_at is not None
    notes = Notification.objects.filter(kind="document.correction_fulfilled")
    assert {n.recipient_id for n in notes} == {people["agent"].pk, reviewer.pk}
    assert notes.first().title == f"申请 {submitted.number}：补正资料已上传"
    assert notes.first().link == f"/documents/application/{submitted.pk}/"
    assert AuditEvent.objects.filter(action="document.correction_fulfilled").count() == 1
    with pytest.raises(DocumentsClosed):
        put(principal, submitted, "id_front", jpeg(colour=(9, 9, 9)))


def test_requests_are_checked_and_need_the_permission(people, submitted):
    with pytest.raises(PermissionDenied):
        correction_request_create(actor=people["agent"], application_id=submitted.pk, items=ITEMS)
    with pytest.raises(ValidationFailed) as exc:
        correction_request_create(actor=people["reviewer"], application_id=submitted.pk, items=[])
    assert [str(m) for m in exc.value.fields["items"]] == ["请至少选择一项需要重新上传的资料。"]
    with pytest.raises(ValidationFailed) as exc:
        correction_request_create(actor=people["reviewer"], application_id=submitted.pk,
                                  items=[{"doc_type": "id_front", "reason": " "}])  # fmt: skip
    assert [str(m) for m in exc.value.fields["items"]] == ["请填写身份证（人像面）的补正原因。"]
    assert not CorrectionRequest.objects.exists()


def test_a_rejected_upload_does_not_fulfil_and_cancel_closes_the_request(people, submitted, principal):
    reviewer = people["reviewer"]
    correction = correction_request_create(actor=reviewer, application_id=submitted.pk, items=ITEMS[:1])
    upload_ = put(principal, submitted, "id_front", jpeg(colour=(11, 11, 11)))
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.FULFILLED
    second = correction_request_create(actor=reviewer, application_id=submitted.pk, items=ITEMS[1:])
    rejected = document_reject(actor=reviewer, document_id=upload_.pk, reason="仍然模糊")
    assert rejected.status == DocStatus.REJECTED and rejected.rejected_by == reviewer
    correction_request_cancel(actor=reviewer, correction_id=second.pk)
    second.refresh_from_db()
    assert second.status == CorrectionStatus.CANCELLED and second.cancelled_at is not None
    with pytest.raises(CorrectionNotOpen):
        correction_request_cancel(actor=reviewer, correction_id=second.pk)
    with pytest.raises(DocumentsClosed):
        put(principal, submitted, "income_proof", pdf(pages=3))


def test_the_customer_is_told_by_sms_what_to_upload_again(people, submitted, django_capture_on_commit_callbacks):
    from loancrm.messaging.models import SmsMessage

    with django_capture_on_commit_callbacks(execute=True):
        correction_request_create(actor=people["reviewer"], application_id=submitted.pk, items=ITEMS)

    message = SmsMessage.objects.get(template_code="correction_requested")
    assert message.mobile == submitted.customer.mobiles.get(is_primary=True).mobile
    assert message.text == (
        f"【信贷服务】您的借款申请{submitted.number}需要补充资料：身份证（人像面）、收入证明。请登录申请页面按提示重新上传。"
    )
