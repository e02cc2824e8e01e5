"""Phone verification (电核) of a review case: the product's checklist, click-to-call through the telephony
provider (its recording attached to the case), and the recorded result with the answers per item.

Invariants: only the case's reviewer, while the case is in review, calls and records; a recorded verification is
never changed (a new call is a new record); a recording's type is sniffed from its bytes (WAV, MP3, M4A, Ogg, AMR)
and stored in private storage, served only through ``recording_open`` (scope checked, audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.underwriting import audio, telephony
from loancrm.underwriting.choices import WORKING_STATUSES, CallResult, CallTarget, ItemAnswer
from loancrm.underwriting.models import PhoneCheckTemplate, PhoneVerification, ReviewCase
from loancrm.underwriting.selectors import cases_visible_to
from loancrm.underwriting.services import WORK, _locked_case

DEFAULT_ITEMS: list[dict[str, Any]] = [
    {"code": "identity", "label": _("Verify the applicant's identity")},
    {"code": "employer", "label": _("Verify the employer")},
    {"code": "income", "label": _("Verify the income")},
    {"code": "purpose", "label": _("Verify the purpose of the loan")},
    {"code": "contacts", "label": _("Verify the emergency contacts")},
]


def checklist_for(product_code: str) -> list[dict[str, str]]:
    """The product's checklist items, else the default template's, else the built-in default."""
    template = (
        PhoneCheckTemplate.objects.filter(product_code=product_code).first()
        or PhoneCheckTemplate.objects.filter(product_code="").first()
    )
    items = template.items if template else DEFAULT_ITEMS
    return [{"code": str(item["code"]), "label": str(item["label"])} for item in items]


def _working_case(actor: Any, case_id: int) -> ReviewCase:
    if not actor.has_perm(WORK):
        raise PermissionDenied()
    case = _locked_case(actor, case_id)
    if case.assignee_id != actor.pk or case.status not in WORKING_STATUSES:
        raise InvalidTransition(gettext("Claim the case before verifying by phone."), code="case_not_in_review")
    return case


def _target(raw: str) -> str:
    if raw not in CallTarget.values:
        raise ValidationFailed(fields={"target": [gettext("Choose one of the allowed values.")]})
    return raw


def _number_of(case: ReviewCase) -> str:
    mobile = case.application.customer.mobiles.filter(is_primary=True).first()
    return mobile.mobile if mobile else ""


@transaction.atomic
def phone_call_place(
    *, actor: Any, case_id: int, target: str = CallTarget.APPLICANT, request: HttpRequest | None = None
) -> PhoneVerification:
    """Click-to-call: dial through the telephony provider; the call id and its recording go on a pending
    verification of the case, to be completed with ``phone_verification_record``."""
    case = _working_case(actor, case_id)
    target = _target(target)
    number = _number_of(case) if target == CallTarget.APPLICANT else ""
    provider = telephony.get_provider()
    call = provider.dial(number, reference=f"case-{case.pk}")
    verification = PhoneVerification(
        case=case, application_id=case.application_id, target=target, call_id=call.call_id[:64],
        provider=provider.name[:40], items=checklist_for(case.application.product_version.product.code),
        created_by=actor,
    )  # fmt: skip
    if call.recording:
        kind = audio.sniff_audio(call.recording) or call.recording_type
        verification.recording_type, verification.recording_size = kind, len(call.recording)
        verification.recording.save("call", ContentFile(call.recording), save=False)
    verification.save()
    audit_event(
        actor, "phone_verification.called", case.application,
        {"case": case.pk, "verification": verification.pk, "call_id": verification.call_id,
         "provider": verification.provider, "target": target},
        request,
    )  # fmt: skip
    return verification


def _read_upload(upload: Any) -> bytes:
    if upload is None:
        return b""
    if (getattr(upload, "size", 0) or 0) > audio.MAX_BYTES:
        raise ValidationFailed(fields={"recording": [gettext("The recording is larger than 20 MB.")]})
    upload.seek(0)
    data: bytes = upload.read(audio.MAX_BYTES + 1)
    if len(data) > audio.MAX_BYTES:
        raise ValidationFailed(fields={"recording": [gettext("The recording is larger than 20 MB.")]})
    return data


@transaction.atomic
def phone_verification_record(
    *, actor: Any, case_id: int, result: str, answers: dict[str, str], notes: str = "", target: str = "",
    verification_id: int | None = None, recording: Any = None, request: HttpRequest | None = None,
) -> PhoneVerification:  # fmt: skip
    """Record a phone verification: the call result, an answer per checklist item and notes, with an uploaded
    recording (or completing the pending verification a click-to-call created)."""
    case = _working_case(actor, case_id)
    errors: dict[str, list[Any]] = {}
    if result not in CallResult.values:
        errors["result"] = [gettext("Choose the call result.")]
    data = _read_upload(recording)
    kind = audio.sniff_audio(data) if data else None
    if data and kind is None:
        errors["recording"] = [gettext("The recording must be a WAV, MP3, M4A, Ogg or AMR audio file.")]
    if verification_id:
        verification = PhoneVerification.objects.select_for_update().filter(pk=verification_id, case=case).first()
        if verification is None:
            raise NotFound()
        if not verification.is_pending:
            raise InvalidTransition(gettext("This verification is already recorded."), code="verification_recorded")
    else:
        verification = PhoneVerification(
            case=case, application_id=case.application_id, created_by=actor, target=_target(target or "applicant"),
            items=checklist_for(case.application.product_version.product.code),
        )  # fmt: skip
    codes = {item["code"] for item in verification.items}
    cleaned = {code: value for code, value in (answers or {}).items() if code in codes and value}
    if any(value not in ItemAnswer.values for value in cleaned.values()):
        errors["answers"] = [gettext("Choose one of the allowed values.")]
    if result == CallResult.CONNECTED and not cleaned:
        errors.setdefault("answers", []).append(gettext("Answer at least one checklist item for a connected call."))
    if errors:
        raise ValidationFailed(fields=errors)
    verification.result, verification.answers = result, cleaned
    verification.notes, verification.completed_at = (notes or "").strip()[:2000], timezone.now()
    if data and kind:
        verification.recording_type, verification.recording_size = kind, len(data)
        verification.recording.save("upload", ContentFile(data), save=False)
    verification.save()
    audit_event(
        actor, "phone_verification.recorded", case.application,
        {"case": case.pk, "verification": verification.pk, "result": result, "answers": cleaned,
         "recording": bool(verification.recording)},
        request,
    )  # fmt: skip
    return verification


@dataclass(frozen=True)
class OpenedRecording:
    handle: IO[bytes]
    filename: str
    content_type: str
    size: int


def recording_open(*, actor: Any, verification_id: int, request: HttpRequest | None = None) -> OpenedRecording:
    verification = PhoneVerification.objects.select_related("case", "application").filter(pk=verification_id).first()
    if verification is None or not cases_visible_to(actor).filter(pk=verification.case_id).exists():
        raise NotFound()
    if not verification.recording:
        raise NotFound()
    with transaction.atomic():
        audit_event(actor, "phone_verification.recording_played", verification.application,
                    {"verification": verification.pk}, request)  # fmt: skip
    stored = verification.recording
    suffix = audio.EXTENSIONS.get(verification.recording_type, "")
    name = f"{verification.application.number}-call-{verification.pk}{suffix}"
    return OpenedRecording(stored.storage.open(stored.name, "rb"), name, verification.recording_type, stored.size)
