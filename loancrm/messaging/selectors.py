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
