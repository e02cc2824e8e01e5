"""Chinese resident ID numbers (GB 11643-1999) and mainland mobile numbers.

Invariants: a valid ID number is 18 characters, 17 digits and a check character from "10X98765432" under weights
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, a real province code (GB/T 2260), and a real birth date from 1900 on and
not in the future. Input is normalised first (full-width characters, spaces, dashes, lower-case x).
15-digit numbers (issued before 1999, all expired since) are refused with their own code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip
EARLIEST_BIRTH = date(1900, 1, 1)
_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {
    ord("Ｘ"): ord("X"),
    ord("ｘ"): ord("X"),
    ord("＋"): ord("+"),
}
_SEPARATORS = re.compile(r"[\s\u3000\-‐‑–—()（）.·]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class InvalidIdNumber(ValueError):
    """A malformed ID number; ``code`` says which rule failed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class InvalidMobile(ValueError):
    code = "mobile_invalid"


@dataclass(frozen=True)
class IdNumber:
    number: str
    region_code: str
    province_code: str
    birth_date: date
    gender: str

    def age(self, on: date) -> int:
        """Full years completed on ``on`` (a 29 February birthday counts from 1 March in common years)."""
        had_birthday = (on.month, on.day) >= (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - (0 if had_birthday else 1)


def _normalise(raw: str) -> str:
    return _SEPARATORS.sub("", raw.translate(_FULL_WIDTH))


def normalize_id_number(raw: str) -> str:
    """Remove spaces and dashes, convert full-width digits and X, upper-case x. No validation."""
    return _normalise(raw).upper()


def id_check_digit(first17: str) -> str:
    """The check character of 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK_MAP[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Normalise and validate; raise InvalidIdNumber with a stable code on the first failed rule."""
    number = normalize_id_number(raw)
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber("id_legacy_15", "15-digit ID numbers are no longer valid")
    if len(number) != 18:
        raise InvalidIdNumber("id_length", "an ID number has 18 characters")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("id_chars", "an ID number is 17 digits and a digit or X")
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber("id_province", "unknown province code")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("id_birth_date", "the birth date is not a real date") from exc
    if birth < EARLIEST_BIRTH:
        raise InvalidIdNumber("id_birth_date", "the birth date is too early")
    if birth > (today or date.today()):
        raise InvalidIdNumber("id_birth_future", "the birth date is in the future")
    if id_check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber("id_check_digit", "the check digit does not match")
    return IdNumber(
        number=number,
        region_code=number[:6],
        province_code=number[:2],
        birth_date=birth,
        gender="M" if int(number[16]) % 2 else "F",
    )


def is_valid_id_number(raw: str, *, today: date | None = None) -> bool:
    try:
        validate_id_number(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def normalize_mobile(raw: str) -> str:
    """Return the 11-digit mainland mobile number or raise InvalidMobile.

    Accepts spaces, dashes, dots, parentheses, full-width digits and a +86 / 0086 / 86 country prefix.
    """
    digits = _normalise(raw)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.match(digits):
        raise InvalidMobile("not a mainland mobile number")
    return digits


def is_valid_mobile(raw: str) -> bool:
    try:
        normalize_mobile(raw)
    except InvalidMobile:
        return False
    return True
