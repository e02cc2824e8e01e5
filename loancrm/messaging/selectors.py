"""Reads of the SMS outbox (staff with the permission see every message; mobiles are shown masked)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from loancrm.core.fields import blind_lookup
from loancrm.messaging.models import SmsMessage


def sms_messages(viewer: Any, *, mobile: str = "", template: str = "") -> QuerySet[SmsMessage]:
    if not viewer.has_perm("messaging.view_smsmessage"):
        return SmsMessage.objects.none()
    rows = SmsMessage.objects.all()
    if mobile:
        rows = rows.filter(blind_lookup(SmsMessage, "mobile", mobile))
    if template:
        rows = rows.filter(template_code=template)
    return rows


def email_messages(viewer: Any, *, address: str = "", template: str = "") -> QuerySet[Any]:
    from loancrm.messaging.models import EmailMessageRecord

    if not viewer.has_perm("messaging.view_emailmessagerecord"):
        return EmailMessageRecord.objects.none()
    rows = EmailMessageRecord.objects.all()
    if address:
        rows = rows.filter(blind_lookup(EmailMessageRecord, "address", address.strip()))
    if template:
        rows = rows.filter(template_code=template)
    return rows


def application_notices(application: Any) -> QuerySet[Any]:
    """The notices sent to the customer about ``application`` (newest first), with their SMS and e-mail."""
    from loancrm.messaging.models import ApplicationNotice

    return ApplicationNotice.objects.filter(application=application).select_related("sms", "email")
