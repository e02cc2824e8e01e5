"""Pre-filter rules over a cleaned lead (pure): a reason when the lead must be marked invalid, else None."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from loancrm.core.china_ids import IdNumber, validate_id_number

BLOCKED, BORN_LATER = "channel blocked", "born after the business date"


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
        return BLOCKED
    # The number was validated when the lead was cleaned (against the local date, which may be past the business
    # date): only parse it here, so someone born after the business date is too young, not an error.
    parsed = validate_id_number(id_number, today=dt.date.max) if id_number else None
    return prefilter_reason_parsed(
        parsed=parsed, channel_blocked=False, min_age=min_age, max_age=max_age, allowed_provinces=allowed_provinces,
        today=today,
    )  # fmt: skip


def prefilter_reason_parsed(
    *,
    parsed: IdNumber | None,
    channel_blocked: bool,
    min_age: int,
    max_age: int,
    allowed_provinces: Iterable[str],
    today: dt.date,
) -> str | None:
    """``prefilter_reason`` for an ID number already validated (bulk intake parses each number once)."""
    if channel_blocked:
        return BLOCKED
    if parsed is not None:
        if today < parsed.birth_date:
            return BORN_LATER
        age = parsed.age(today)
        if age < min_age or age > max_age:
            return f"age {age} outside {min_age}-{max_age}"
        allowed = set(allowed_provinces)
        if allowed and parsed.province_code not in allowed:
            return f"province {parsed.province_code} not served"
    return None
