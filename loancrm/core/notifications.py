"""In-app notifications: modules call ``notify``; the top bar shows the unread count; the user marks them read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from loancrm.core.models import Notification


def notify(recipients: Iterable[Any], *, kind: str, title: str, body: str = "", link: str = "") -> int:
    """Send one notification to each recipient (in the caller's transaction); returns how many were written."""
    ids = {getattr(user, "pk", user) for user in recipients}
    rows = [Notification(recipient_id=pk, kind=kind, title=title[:200], body=body, link=link[:300]) for pk in ids]
    return len(Notification.objects.bulk_create(rows))


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: Any, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``user`` read; another user's are untouched."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
