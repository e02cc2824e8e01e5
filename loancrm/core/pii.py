"""Personal-data fields that may be revealed, and the audited reveal itself.

Invariants: a field is revealable only if its app registered it; the viewer needs the field's permission, a reason,
and must be able to see the record (the app's access selector: "not yours" is "not found"); collectors can never
reveal third-party contacts; reveals are rate-limited per user; every reveal writes an audit event with who, which
field of which record, why, when and from where — never the value itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from loancrm.core.masking import mask

MIN_REASON = 4


@dataclass(frozen=True)
class PiiField:
    model_label: str
    field: str
    kind: str
    access: Callable[[Any, int], Any]
    permission: str = "accounts.reveal_pii"
    third_party: bool = False
    label: Any = ""


REGISTRY: dict[tuple[str, str], PiiField] = {}


def register_pii(entry: PiiField) -> None:
    REGISTRY[(entry.model_label, entry.field)] = entry


def revealable(model_label: str, field: str) -> PiiField | None:
    return REGISTRY.get((model_label, field))


def can_reveal(user: Any, entry: PiiField) -> bool:
    if not user.has_perm(entry.permission):
        return False
    return not (entry.third_party and is_collector(user))


def is_collector(user: Any) -> bool:
    return any(profile.code == "collector" for profile in getattr(user, "role_profiles", list)())


def _rate_limit(user: Any) -> None:
    limit = int(getattr(settings, "PII_REVEALS_PER_HOUR", 30))
    key = f"pii-reveals:{user.pk}"
    count = int(cache.get_or_set(key, 0, timeout=3600) or 0)
    if count >= limit:
        raise RateLimited(_("You have revealed too much personal data this hour. Try again later."))
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)


def pii_reveal(
    *, actor: Any, model_label: str, object_id: int, field: str, reason: str, request: HttpRequest | None = None
) -> str:
    """Return the plaintext of one field of one record, after the checks above; audited."""
    entry = revealable(model_label, field)
    if entry is None:
        raise NotFound()
    if not can_reveal(actor, entry):
        raise PermissionDenied(_("You may not reveal this information."))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed(fields={"reason": [_("Say why you need to see it (at least 4 characters).")]})
    try:
        record = entry.access(actor, object_id)
    except Http404 as exc:
        raise NotFound() from exc
    _rate_limit(actor)
    with transaction.atomic():
        audit_event(actor, "pii.revealed", record, {"field": field, "kind": entry.kind, "reason": reason}, request)
    return str(getattr(record, field) or "")


def masked_value(record: Any, field: str, kind: str) -> str:
    return mask(kind, getattr(record, field, ""))
