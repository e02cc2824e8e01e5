"""ID-card readings (OCR): queued when the ID images change, run by a background task, shown for confirmation.

Invariants: a reading is queued (after commit) when the application has a current ID front (with the current back
when there is one); the task reads the images from private storage and calls ``loancrm.ocr.service
.recognise_id_card`` with the name and ID number entered for the customer (decrypted in the task, never logged);
the result is stored encrypted; any warning or error finding sets ``needs_review`` (a mismatch or doubtful read is
never accepted silently) and notifies the application's owner. ``prefill_from_reading`` offers the read values for
forms; nothing is written to the customer from a reading.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from loancrm.applications.models import Application
from loancrm.core.audit import audit_event
from loancrm.core.notifications import notify
from loancrm.documents.choices import DocType, ReadingStatus
from loancrm.documents.models import IdCardReading

logger = logging.getLogger(__name__)
GENDERS = {"男": "M", "女": "F"}


def queue_id_card_reading(application: Application) -> IdCardReading | None:
    """Inside the upload's transaction: a queued reading of the current ID images, enqueued after commit."""
    from loancrm.documents.services import current_documents

    front = current_documents(application, DocType.ID_FRONT).first()
    if front is None:
        return None
    back = current_documents(application, DocType.ID_BACK).first()
    reading = IdCardReading.objects.create(application=application, front=front, back=back)
    transaction.on_commit(lambda: _enqueue(reading.pk))
    return reading


def _enqueue(reading_id: int) -> None:
    from loancrm.documents.tasks import read_id_card

    read_id_card.enqueue(reading_id)


def _claim(reading_id: int) -> IdCardReading | None:
    with transaction.atomic():
        reading = IdCardReading.objects.select_for_update().filter(pk=reading_id).first()
        if reading is None or reading.status != ReadingStatus.QUEUED:
            return None
        reading.status, reading.started_at = ReadingStatus.RUNNING, timezone.now()
        reading.save(update_fields=["status", "started_at"])
    return IdCardReading.objects.select_related("application__customer", "application__owner", "front", "back").get(
        pk=reading_id
    )


def _bytes(document: Any) -> bytes:
    with document.file.storage.open(document.file.name, "rb") as handle:
        return bytes(handle.read())


def id_card_reading_run(*, reading_id: int) -> str:
    """Run one queued reading; returns its final status ("" when it was not queued)."""
    reading = _claim(reading_id)
    if reading is None:
        return ""
    customer = reading.application.customer
    try:
        from loancrm.ocr.service import recognise_id_card

        result = recognise_id_card(
            _bytes(reading.front),
            _bytes(reading.back) if reading.back_id else None,
            entered_name=customer.name or None,
            entered_id_number=customer.id_number or None,
            today=timezone.localdate(),
        )
    except Exception as exc:  # the reading fails visibly; the reason code only (the message may quote the card)
        logger.warning("ID card reading %s failed: %s", reading_id, type(exc).__name__)
        return _finish_failed(reading, getattr(exc, "code", type(exc).__name__))
    return _finish_done(reading, result.as_dict())


@transaction.atomic
def _finish_failed(reading: IdCardReading, code: str) -> str:
    reading.status, reading.error, reading.completed_at = ReadingStatus.FAILED, str(code)[:60], timezone.now()
    reading.needs_review = True
    reading.save(update_fields=["status", "error", "completed_at", "needs_review"])
    audit_event(None, "document.id_card_read", reading.application, {"reading": reading.pk, "status": "failed",
                                                                      "error": reading.error})  # fmt: skip
    _notify_review(reading)
    return reading.status


@transaction.atomic
def _finish_done(reading: IdCardReading, data: dict[str, Any]) -> str:
    findings = [
        {"code": f.get("code", ""), "severity": f.get("severity", ""), "field": f.get("field", "")}
        for f in data.get("findings", [])
    ]
    reading.status, reading.completed_at = ReadingStatus.DONE, timezone.now()
    reading.result = json.dumps(data, ensure_ascii=False)
    reading.findings = findings
    reading.needs_review = bool(data.get("needs_review", True))
    reading.elapsed_ms = round(float(data.get("elapsed_ms") or 0))
    reading.save(update_fields=["status", "completed_at", "result", "findings", "needs_review", "elapsed_ms"])
    audit_event(None, "document.id_card_read", reading.application,
                {"reading": reading.pk, "status": "done", "needs_review": reading.needs_review,
                 "findings": sorted({f["code"] for f in findings})})  # fmt: skip
    if reading.needs_review:
        _notify_review(reading)
    return reading.status


def _notify_review(reading: IdCardReading) -> None:
    application = reading.application
    if application.owner is None:
        return
    notify(
        [application.owner],
        kind="document.id_card_review",
        title=gettext("Application %(number)s: check the ID card reading") % {"number": application.number},
        link=reverse("documents:application_documents", args=[application.pk]),
    )


def customer_prefill(customer: Any) -> dict[str, Any]:
    """``prefill_from_reading`` of the customer's newest finished reading (any application), for profile forms."""
    reading = (
        IdCardReading.objects.filter(application__customer=customer, status=ReadingStatus.DONE)
        .order_by("-created_at", "-id")
        .first()
    )
    return prefill_from_reading(reading)


def latest_reading(application: Application) -> IdCardReading | None:
    return IdCardReading.objects.filter(application=application).order_by("-created_at", "-id").first()


def prefill_from_reading(reading: IdCardReading | None) -> dict[str, Any]:
    """Values read from the card for a form's initial data (customer field names); empty unless the reading is
    done. Shown for confirmation, never saved unseen: ``needs_review`` readings still pre-fill but are flagged."""
    if reading is None or reading.status != ReadingStatus.DONE:
        return {}
    fields = reading.data.get("fields") or {}
    values: dict[str, Any] = {
        "name": fields.get("name"),
        "id_number": fields.get("id_number"),
        "gender": GENDERS.get(fields.get("gender") or ""),
        "birth_date": fields.get("birth_date"),
        "ethnicity": fields.get("ethnicity"),
        "hukou_address": fields.get("address"),
        "id_authority": fields.get("authority"),
        "id_validity": fields.get("validity"),
    }
    return {key: value for key, value in values.items() if value}
