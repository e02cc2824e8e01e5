"""The review opinion (validation against the product's terms, the hand-over to approval), the conditions of a
conditional approval and the pre-disbursement check, and phone verification (click-to-call, upload)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loancrm.applications import lifecycle
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.underwriting import hooks, phone, services
from loancrm.underwriting.audio import WAV, tone_wav
from loancrm.underwriting.choices import CaseStatus
from loancrm.underwriting.models import (
    PhoneCheckTemplate,
    PhoneVerification,
    ReviewCase,
    ReviewCondition,
    ReviewOpinion,
)
from loancrm.underwriting.tests.conftest import opinion_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(credit, manual):
    """A case of the Beijing team claimed by rev1."""
    case = services.review_case_open(application_id=manual().pk)
    ReviewCase.objects.filter(pk=case.pk).update(assignee=None)
    return services.review_case_claim(actor=credit.rev1, case_id=case.pk)


@pytest.fixture
def handed(monkeypatch):
    """The approval stage's hook replaced by a recorder."""
    calls: list = []
    monkeypatch.setattr(
        lifecycle, "_review_handlers", [lambda app, outcome, actor: calls.append((app, outcome, actor))]
    )
    return calls


def test_submitting_an_approval_stores_the_opinion_and_hands_it_to_approval(credit, claimed, handed):
    opinion = services.review_opinion_submit(actor=credit.rev1, case_id=claimed.pk, values=opinion_values())
    assert (opinion.recommendation, opinion.amount, opinion.annual_rate, opinion.term_months, opinion.method) == (
        "approve", Decimal("40000.00"), Decimal("0.15"), 12, "equal_installment"
    )  # fmt: skip
    assert opinion.risk_points == ["负债率偏高"] and opinion.risk_level == "high"
    assert ReviewCase.objects.get(pk=claimed.pk).status == CaseStatus.OPINION_SUBMITTED
    [(application, outcome, actor)] = handed
    assert application.pk == claimed.application_id and actor == credit.rev1
    assert outcome == lifecycle.ReviewOutcome(
        recommendation="approve",
        terms=lifecycle.ApprovedTerms(Decimal("40000.00"), Decimal("0.15"), 12, "equal_installment"),
        risk_level="high", comment="收入稳定，同意", risk_points=["负债率偏高"], conditions=[],
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="review_opinion.submitted").count() == 1


def test_a_reject_with_no_approval_handler_only_stores_the_opinion(credit, claimed):
    opinion = services.review_opinion_submit(
        actor=credit.rev1, case_id=claimed.pk, values=opinion_values("reject", amount="", comment="多头借贷严重")
    )
    assert (opinion.recommendation, opinion.amount) == ("reject", claimed.application.amount)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "200000.01"}, "amount"),  # above the product's maximum
        ({"amount": "100.00"}, "amount"),
        ({"annual_rate": "0.30"}, "annual_rate"),
        ({"term_months": "48"}, "term_months"),
        ({"method": "bullet"}, "method"),
        ({"comment": "  "}, "comment"),
        ({"recommendation": "maybe"}, "recommendation"),
        ({"recommendation": "conditional"}, "conditions"),  # conditional without a condition
        ({"conditions": [{"kind": "other", "text": "x"}]}, "conditions"),  # conditions on a plain approval
    ],
)
def test_an_invalid_opinion_is_refused_and_writes_nothing(credit, claimed, handed, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        services.review_opinion_submit(actor=credit.rev1, case_id=claimed.pk, values=opinion_values(**changes))
    assert field in refused.value.fields
    assert ReviewOpinion.objects.count() == 0 and ReviewCondition.objects.count() == 0
    assert ReviewCase.objects.get(pk=claimed.pk).status == CaseStatus.CLAIMED
    assert handed == [] and not AuditEvent.objects.filter(action="review_opinion.submitted").exists()


def test_only_the_reviewer_of_a_claimed_case_submits(credit, claimed, manual):
    with pytest.raises(PermissionDenied):
        services.review_opinion_submit(actor=credit.sup, case_id=claimed.pk, values=opinion_values())
    queued = services.review_case_open(application_id=manual().pk)
    ReviewCase.objects.filter(pk=queued.pk).update(assignee=credit.rev1)
    with pytest.raises(InvalidTransition):
        services.review_opinion_submit(actor=credit.rev1, case_id=queued.pk, values=opinion_values())
    assert ReviewOpinion.objects.count() == 0


def conditional(credit, claimed):
    values = opinion_values(
        "conditional",
        conditions=[{"kind": "add_guarantor", "text": "追加配偶作为共同借款人"},
                    {"kind": "provide_document", "text": "提供近六个月银行流水"}],
    )  # fmt: skip
    return services.review_opinion_submit(actor=credit.rev1, case_id=claimed.pk, values=values)


def test_conditions_are_met_one_by_one_and_the_disbursement_check_follows(credit, claimed, handed):
    opinion = conditional(credit, claimed)
    first, second = opinion.conditions.all()
    assert handed[0][1].conditions == ["追加配偶作为共同借款人", "提供近六个月银行流水"]
    check = hooks.conditions_check(claimed.application)
    assert (check.code, check.passed) == ("review_conditions", False)
    assert "追加配偶作为共同借款人" in check.detail
    # refused: no evidence; another team's reviewer — nothing written
    with pytest.raises(ValidationFailed):
        services.review_condition_mark_met(actor=credit.rev1, condition_id=first.pk, evidence="")
    with pytest.raises(NotFound):
        services.review_condition_mark_met(actor=credit.rev_sh, condition_id=first.pk, evidence="已签")
    assert not ReviewCondition.objects.filter(met=True).exists()
    # when
    services.review_condition_mark_met(actor=credit.rev1, condition_id=first.pk, evidence="担保合同已签")
    assert not hooks.conditions_check(claimed.application).passed
    services.review_condition_mark_met(actor=credit.ops, condition_id=second.pk, evidence="流水已收")
    # then
    first.refresh_from_db()
    assert (first.met, first.met_by, first.evidence) == (True, credit.rev1, "担保合同已签")
    assert hooks.conditions_check(claimed.application).passed
    assert hooks.conditions_check(claimed.application) in lifecycle.disbursement_checks(claimed.application)
    with pytest.raises(InvalidTransition):
        services.review_condition_mark_met(actor=credit.rev1, condition_id=first.pk, evidence="again")
    assert AuditEvent.objects.filter(action="review_condition.met").count() == 2


def test_without_an_opinion_or_conditions_the_check_passes(credit, claimed):
    assert hooks.conditions_check(claimed.application).passed
    services.review_opinion_submit(actor=credit.rev1, case_id=claimed.pk, values=opinion_values())
    assert hooks.conditions_check(claimed.application).passed


def test_click_to_call_attaches_the_simulated_recording_then_the_result_is_recorded(credit, claimed):
    PhoneCheckTemplate.objects.create(product_code="CASH", name="现金贷电核",
                                      items=[{"code": "identity", "label": "核实本人身份"},
                                             {"code": "purpose", "label": "核实借款用途"}])  # fmt: skip
    call = phone.phone_call_place(actor=credit.rev1, case_id=claimed.pk)
    assert call.call_id.startswith("sim-") and call.provider == "simulator" and call.is_pending
    assert (call.recording_type, call.recording_size) == (WAV, len(tone_wav(seconds=1.0)))
    assert [i["code"] for i in call.items] == ["identity", "purpose"]
    done = phone.phone_verification_record(
        actor=credit.rev1, case_id=claimed.pk, verification_id=call.pk, result="connected",
        answers={"identity": "confirmed", "purpose": "mismatch", "unknown": "confirmed"}, notes="用途与申请不符",
    )  # fmt: skip
    assert done.answers == {"identity": "confirmed", "purpose": "mismatch"} and done.completed_at
    with pytest.raises(InvalidTransition):
        phone.phone_verification_record(actor=credit.rev1, case_id=claimed.pk, verification_id=call.pk,
                                        result="no_answer", answers={})  # fmt: skip
    opened = phone.recording_open(actor=credit.sup, verification_id=call.pk)
    assert opened.handle.read(4) == b"RIFF" and opened.content_type == WAV
    opened.handle.close()
    with pytest.raises(NotFound):
        phone.recording_open(actor=credit.rev_sh, verification_id=call.pk)


def test_an_uploaded_recording_must_be_audio(credit, claimed):
    fake = SimpleUploadedFile("call.wav", b"%PDF-1.7 not audio", content_type="audio/wav")
    with pytest.raises(ValidationFailed) as refused:
        phone.phone_verification_record(actor=credit.rev1, case_id=claimed.pk, result="connected",
                                        answers={"identity": "confirmed"}, recording=fake)  # fmt: skip
    assert "recording" in refused.value.fields and PhoneVerification.objects.count() == 0
    good = SimpleUploadedFile("call.wav", tone_wav(seconds=0.2), content_type="application/octet-stream")
    stored = phone.phone_verification_record(actor=credit.rev1, case_id=claimed.pk, result="no_answer", answers={},
                                             recording=good)  # fmt: skip
    assert stored.recording_type == WAV and stored.recording.name.endswith(".wav")
    assert [i["code"] for i in stored.items][:2] == ["identity", "employer"]  # the built-in default checklist


def test_only_the_reviewer_in_review_verifies_by_phone(credit, claimed):
    with pytest.raises(InvalidTransition):
        phone.phone_call_place(actor=credit.sup, case_id=claimed.pk)
    assert PhoneVerification.objects.count() == 0
