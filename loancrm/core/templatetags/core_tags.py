"""Template helpers for list pages: query-string editing for filters, sorting and pagination."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def money(value: Any) -> str:
    """Money with thousands separators ("1,234.56"); empty for None."""
    from decimal import Decimal

    from loancrm.core.money import format_money

    return "" if value is None else format_money(Decimal(value))


@register.filter
def percent(value: Any) -> str:
    """A share as a percentage with one decimal ("42.5%"); empty for None."""
    return "" if value is None else f"{float(value) * 100:.1f}%"


@register.filter
def audit_action(action: str) -> str:
    """Human label of an audit action code."""
    from loancrm.core.audit import action_label

    return action_label(action)


@register.simple_tag(takes_context=True)
def query_replace(context: Any, **kwargs: Any) -> str:
    """The current query string with ``kwargs`` replaced (None removes a key)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return str(query.urlencode())


@register.simple_tag(takes_context=True)
def sort_query(context: Any, field: str, current: str | None) -> str:
    """Query string that sorts by ``field``, toggling direction when it is already the sort key."""
    query = context["request"].GET.copy()
    query["sort"] = f"-{field}" if current == field else field
    query.pop("page", None)
    return str(query.urlencode())
