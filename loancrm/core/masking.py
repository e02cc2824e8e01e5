"""Masking of personal data for display, exports and API responses (脱敏). One module for every surface.

Rules: ID number keeps the first 6 and last 4 (``110105********002X``); mobile keeps 3 + 4 (``138****5678``); bank
card keeps the last 4; name keeps the first character (``张*``); address keeps the first 6 characters; e-mail keeps
the first character of the local part. Empty values stay empty; anything else is masked entirely.
"""

from __future__ import annotations

from collections.abc import Callable


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_mobile(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 11 else "*" * len(value)


def mask_bank_card(value: str | None) -> str:
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit())
    return f"**** **** **** {digits[-4:]}" if len(digits) >= 8 else "*" * len(digits)


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_address(value: str | None) -> str:
    if not value:
        return ""
    return value[:6] + "****" if len(value) > 6 else "****"


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return "*" * len(value or "")
    local, _sep, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


MASKERS: dict[str, Callable[[str | None], str]] = {
    "id_number": mask_id_number,
    "mobile": mask_mobile,
    "bank_card": mask_bank_card,
    "name": mask_name,
    "address": mask_address,
    "email": mask_email,
    "text": lambda value: "*" * min(len(value or ""), 8),
}


def mask(kind: str, value: str | None) -> str:
    """Mask ``value`` by the rule of ``kind``; unknown kinds are masked entirely."""
    return MASKERS.get(kind, MASKERS["text"])(value)
