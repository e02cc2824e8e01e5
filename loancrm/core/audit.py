"""The single audit entry point every service calls inside its own transaction.

``audit_event`` writes one append-only row in the caller's transaction, so the event exists exactly
when the change it describes was committed. Issue #3 extends the row with a hash chain and HMAC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest

if TYPE_CHECKING:
    from loancrm.core.models import AuditEvent


ACTION_LABELS: dict[str, Any] = {}


def register_action_labels(labels: dict[str, Any]) -> None:
    """Apps declare human labels (lazy translations) for their audit action codes."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """The label of an action code in the active language, or the code itself."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the last trusted hop saw it (REMOTE_ADDR; proxies set it via the server)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def _actor_repr(actor: Any, user: Any) -> str:
    if user is not None:
        return str(user.get_username())
    if isinstance(actor, str):
        return actor[:150]
    return "anonymous" if getattr(actor, "is_anonymous", False) else "system"


def audit_event(
    actor: Any,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``target``; ``data`` holds before/after or context.

    ``actor`` may be a user, None (system) or an anonymous user (e.g. a failed login). Never pass
    plaintext personal data in ``data``.
    """
    from loancrm.core.models import AuditEvent

    user = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_repr=_actor_repr(actor, user),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=_jsonable(data),
        ip=client_ip(request),
        user_agent=(request.headers.get("User-Agent", "")[:300] if request is not None else ""),
    )
