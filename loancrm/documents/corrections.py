"""Correction requests (补正通知): what the customer must upload again and why; fulfilment; notifications.

Invariants: a request lists each type once with a reason; creating one needs ``documents.add_correctionrequest``
and the application in scope and open; it opens uploads of the listed types even after submission. It becomes
``fulfilled`` in the transaction of the upload that completes it (every listed type has a non-rejected upload made
after the request), and the application's owner is notified in-app. The customer is told through
``_notify_customer`` (an SMS through ``loancrm.messaging`` naming the documents to upload again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from loancrm.applications.choices import OPEN
from loancrm.applications.principal import audit_actor
from loancrm.applications.services import locked_application
from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, ValidationFailed
from loancrm.core.notifications import notify
from loancrm.documents.choices import CorrectionStatus, DocStatus, DocType
from loancrm.documents.errors import CorrectionNotOpen
from loancrm.documents.models import CorrectionRequest, Document
from loancrm.documents.services import type_label

MAX_REASON = 200
MAX_MESSAGE = 500
DEFAULT_DUE_DAYS = 7
Errors = dict[str, list[Any]]


def _clean_items(items: Iterable[Mapping[str, Any]], errors: Errors) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in items:
        doc_type = str(item.get("doc_type") or "").strip()
        reason = " ".join(str(item.get("reason") or "").split())
        if doc_type not in DocType.values or doc_type in seen:
            errors.setdefault("items", []).append(gettext("Choose each document type once."))
            continue
        if not reason:
            errors.setdefault("items", []).append(
                gettext("Give the reason for %(type)s.") % {"type": type_label(doc_type)}
            )
            continue
        if len(reason) > MAX_REASON:
            errors.setdefault("items", []).append(gettext("At most %(max)s characters.") % {"max": MAX_REASON})
            continue
        seen.add(doc_type)
        cleaned.append({"doc_type": doc_type, "reason": reason})
    if not cleaned and not errors:
        errors.setdefault("items", []).append(gettext("Choose at least one document to upload again."))
    return cleaned


@transaction.atomic
def correction_request_create(
    *,
    actor: Any,
    application_id: int,
    items: Iterable[Mapping[str, Any]],
    message: str = "",
    due_date: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CorrectionRequest:
    """Ask the customer to upload the listed documents again, each with its reason."""
    application = locked_application(actor, application_id, perm="documents.add_correctionrequest")
    if application.status not in OPEN:
        raise ValidationFailed(gettext("A closed application takes no correction requests."))
    errors: Errors = {}
    cleaned = _clean_items(items, errors)
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        errors.setdefault("message", []).append(gettext("At most %(max)s characters.") % {"max": MAX_MESSAGE})
    today = timezone.localdate()
    if due_date is not None and due_date < today:
        errors.setdefault("due_date", []).append(gettext("The date cannot be in the past."))
    if errors:
        raise ValidationFailed(fields=errors)
    correction = CorrectionRequest.objects.create(
        application=application,
        items=cleaned,
        message=message,
        created_by=actor,
        due_date=due_date or today + dt.timedelta(days=DEFAULT_DUE_DAYS),
    )
    change = {"application": application.number, "items": cleaned, "due_date": correction.due_date}
    audit_event(actor, "document.correction_requested", correction, change, request)
    _notify_customer(correction)
    return correction


@transaction.atomic
def correction_request_cancel(
    *, actor: Any, correction_id: int, request: HttpRequest | None = None
) -> CorrectionRequest:
    found = CorrectionRequest.objects.filter(pk=correction_id).first()
    if found is None:
        raise NotFound()
    locked_application(actor, found.application_id, perm="documents.add_correctionrequest")
    correction = CorrectionRequest.objects.select_for_update().get(pk=found.pk)
    if not correction.is_open:
        raise CorrectionNotOpen()
    correction.status, correction.cancelled_at = CorrectionStatus.CANCELLED, timezone.now()
    correction.save(update_fields=["status", "cancelled_at"])
    audit_event(actor, "document.correction_cancelled", correction, {"application": found.application_id}, request)
    return correction


def outstanding_types(correction: CorrectionRequest) -> list[str]:
    """The listed types without a (non-rejected) upload made after the request."""
    uploaded = set(
        Document.objects.filter(application_id=correction.application_id, created_at__gte=correction.created_at)
        .exclude(status=DocStatus.REJECTED)
        .values_list("doc_type", flat=True)
    )
    return [t for t in correction.doc_types if t not in uploaded]


def fulfil_if_complete(correction: CorrectionRequest, *, actor: Any, request: HttpRequest | None = None) -> bool:
    """Inside an upload's transaction: mark the request fulfilled once nothing is outstanding; notify the owner."""
    row = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if not row.is_open or outstanding_types(row):
        return False
    row.status, row.fulfilled_at = CorrectionStatus.FULFILLED, timezone.now()
    row.save(update_fields=["status", "fulfilled_at"])
    application = row.application
    audit_event(audit_actor(actor), "document.correction_fulfilled", row, {"application": application.number},
                request)  # fmt: skip
    recipients = [user for user in (application.owner, row.created_by) if user is not None]
    notify(
        recipients,
        kind="document.correction_fulfilled",
        title=gettext("Application %(number)s: the requested documents have been uploaded")
        % {"number": application.number},
        body="、".join(type_label(t) for t in row.doc_types),
        link=reverse("documents:application_documents", args=[application.pk]),
    )
    return True


def _notify_customer(request_obj: CorrectionRequest) -> None:
    """Tell the customer by SMS (after commit) which documents to upload again; the H5 documents page lists the
    items with their reasons. A customer without a primary mobile sees the request only on that page."""
    from loancrm.messaging.services import send_sms

    application = request_obj.application
    mobile = application.customer.mobiles.filter(is_primary=True).first()
    if mobile is None:
        return
    params = {"number": application.number, "items": "、".join(type_label(t) for t in request_obj.doc_types)}
    transaction.on_commit(lambda: send_sms(mobile.mobile, "correction_requested", params))
