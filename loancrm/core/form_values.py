"""Parsing submitted amounts, rates and whole numbers into an errors dict (``{field: [message, ...]}``).

Shared by the services that take raw form or JSON values. Each parser returns the value, or ``None`` after
appending a translated message for ``field``; nothing is raised, so one call collects every field's problem.
Amounts accept thousands separators, never floats: the text goes straight to ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

Errors = dict[str, list[Any]]
MAX_MONEY = Decimal("9999999999999999.99")


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def decimal_value(raw: Any, field: str, errors: Errors, *, places: int = 2, required: bool = False) -> Decimal | None:
    """A non-negative decimal of at most ``places`` places and at most ``MAX_MONEY``."""
    if _blank(raw):
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if not value.is_finite() or value < 0 or value > MAX_MONEY:
        errors.setdefault(field, []).append(_("Enter an amount of zero or more."))
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        errors.setdefault(field, []).append(_("Use at most %(places)s decimal places.") % {"places": places})
        return None
    return value


def int_value(raw: Any, field: str, errors: Errors, *, low: int = 1, high: int = 600) -> int | None:
    """A required whole number in [``low``, ``high``]."""
    if _blank(raw):
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a whole number."))
        return None
    if not low <= value <= high:
        errors.setdefault(field, []).append(_("Enter a value from %(low)s to %(high)s.") % {"low": low, "high": high})
        return None
    return value
