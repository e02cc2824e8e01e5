"""Pre-filter rules over a cleaned lead (pure): a reason when the lead must be marked invalid, else None."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from loancrm.core.china_ids import validate_id_number


def prefilter_reason(
    *,
    id_number: str,
    channel_blocked: bool,
    min_age: int,
    max_age: int,
    allowed_provinces: Iterable[str],
    today: dt.date,
) -> str | None:
    """The first failed rule as a short English code phrase (translated for display), or None."""
    if channel_blocked:
        return "channel blocked"
    allowed = set(allowed_provinces)
    if id_number:
        parsed = validate_id_number(id_number, today=today)
        age = parsed.age(today)
        if age < min_age or age > max_age:
            return f"age {age} outside {min_age}-{max_age}"
        if allowed and parsed.province_code not in allowed:
            return f"province {parsed.province_code} not served"
    return None
