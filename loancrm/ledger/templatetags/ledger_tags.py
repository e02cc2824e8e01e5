"""Template helpers of the ledger pages."""

from __future__ import annotations

from typing import Any

from django import template

from loancrm.core.money import format_money
from loancrm.ledger.sums import from_fen

register = template.Library()


@register.filter
def fen_money(value: Any) -> str:
    """Integer fen as money with thousands separators (``123456`` → ``1,234.56``); empty for None."""
    return "" if value is None else format_money(from_fen(value))
