"""Template filters for masked personal data: ``{{ customer.mobile|masked:"mobile" }}``."""

from __future__ import annotations

from typing import Any

from django import template

from loancrm.core.masking import mask

register = template.Library()


@register.inclusion_tag("core/pii/_field.html", takes_context=True)
def pii(context: Any, record: Any, field: str) -> dict[str, Any]:
    """Masked value plus, for users allowed to, the audited "view" control."""
    from loancrm.core.pii import can_reveal, revealable

    label = record._meta.label_lower
    entry = revealable(label, field)
    kind = entry.kind if entry else "text"
    user = context["request"].user
    return {
        "masked": mask(kind, getattr(record, field, "")),
        "model_label": label,
        "object_id": record.pk,
        "field": field,
        "can_reveal": bool(entry and can_reveal(user, entry)),
    }


@register.filter
def masked(value: str | None, kind: str = "text") -> str:
    return mask(kind, value)
