"""Template filters of the loan pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def rate(value: Any) -> str:
    """An annual rate fraction as a percentage with two decimals (0.060000 → "6.00%"); empty for None."""
    if value is None or value == "":
        return ""
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))}%"
