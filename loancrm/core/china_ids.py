"""Chinese resident ID numbers (GB 11643-1999), unified social credit codes (GB 32100-2015) and mobile numbers.

Invariants:
- a valid ID number, once normalised, is 18 ASCII characters: 17 digits and a check character from "10X98765432"
  indexed by (sum of digit × weight 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) mod 11, a GB/T 2260 province code,
  and a real birth date from 1900-01-01 up to today;
- a valid mobile number, once normalised, matches ``1[3-9]`` followed by nine ASCII digits;
- normalisation only removes separators and maps full-width forms to ASCII; any other non-ASCII digit is refused;
- failures raise ``InvalidIdNumber`` / ``InvalidMobile`` (both ValueError) with a stable ``code``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "CHECK_MAP",
    "CREDIT_CODE_CHARSET",
    "CREDIT_CODE_WEIGHTS",
    "EARLIEST_BIRTH",
    "PROVINCE_CODES",
    "WEIGHTS",
    "IdErrorCode",
    "IdNumber",
    "InvalidCreditCode",
    "InvalidIdNumber",
    "InvalidMobile",
    "credit_code_check_char",
    "id_check_digit",
    "is_valid_credit_code",
    "is_valid_id_number",
    "is_valid_mobile",
    "normalize_credit_code",
    "normalize_id_number",
    "normalize_mobile",
    "validate_credit_code",
    "validate_id_number",
]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"
# Province-level codes of GB/T 2260, including 71 (Taiwan), 81 (Hong Kong) and 82 (Macao).
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

IdErrorCode = Literal[
    "id_length", "id_chars", "id_province", "id_birth_date", "id_birth_future", "id_check_digit", "id_legacy_15"
]

_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {
    ord("Ｘ"): ord("X"),
    ord("ｘ"): ord("X"),
    ord("x"): ord("X"),
    ord("＋"): ord("+"),
}
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"  # ASCII, Unicode and full-width dashes/minus
_ID_SEPARATORS = re.compile(f"[\\s\u200b\ufeff{_DASHES}]")  # \s covers U+3000 (full-width space)
_MOBILE_SEPARATORS = re.compile(f"[\\s\u200b\ufeff{_DASHES}().\uff08\uff09\uff0e\u00b7]")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_LEGACY_SHAPE = re.compile(r"[0-9]{15}", re.ASCII)
_SEVENTEEN_DIGITS = re.compile(r"[0-9]{17}", re.ASCII)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_COUNTRY_PREFIXES = ("+86", "0086", "86")


class InvalidIdNumber(ValueError):
    """An ID number that fails a rule; ``code`` (stable, for messages and APIs) says which one."""

    code: IdErrorCode

    def __init__(self, code: IdErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidMobile(ValueError):
    """Not a mainland mobile number; ``code`` is always "mobile_invalid"."""

    code: Literal["mobile_invalid"] = "mobile_invalid"

    def __init__(self, message: str = "not a mainland mobile number") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class IdNumber:
    """A validated ID number: ``number`` is normalised, the other fields are read from it."""

    number: str
    region_code: str  # first 6 digits (GB/T 2260 administrative division)
    province_code: str  # first 2 digits
    birth_date: date  # digits 7-14
    gender: Literal["M", "F"]  # 17th digit: odd is male

    def age(self, on: date) -> int:
        """Full years completed on ``on``; a 29 February birthday counts from 1 March in common years.

        Raises ValueError for a date before the birth date.
        """
        if on < self.birth_date:
            raise ValueError("the date is before the birth date")
        had_birthday = (on.month, on.day) >= (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - (0 if had_birthday else 1)


def normalize_id_number(raw: str) -> str:
    """Remove whitespace (incl. U+3000) and dashes, map full-width digits and X to ASCII, x → X. No validation."""
    return _ID_SEPARATORS.sub("", raw.translate(_FULL_WIDTH))


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character ("0"-"9" or "X") for 17 ASCII digits; ValueError for anything else."""
    if not _SEVENTEEN_DIGITS.fullmatch(first17):
        raise ValueError("need exactly 17 digits")
    return CHECK_MAP[sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True)) % 11]


def validate_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Normalise and validate an 18-character ID number; raise InvalidIdNumber on the first failed rule.

    Rules, in order: 15-digit legacy number (``id_legacy_15``), length (``id_length``), characters (``id_chars``),
    province (``id_province``), real birth date from 1900-01-01 (``id_birth_date``), birth date not after
    ``today`` (``id_birth_future``; default ``date.today()``), check character (``id_check_digit``).

    15-digit numbers come from first-generation cards, which stopped being valid on 2013-01-01: they have a
    two-digit birth year and no check digit, so they cannot be verified, and every holder now has an 18-digit
    number. They get their own code so the user can be asked for the new number.
    """
    number = normalize_id_number(raw)
    if _LEGACY_SHAPE.fullmatch(number):
        raise InvalidIdNumber("id_legacy_15", "15-digit ID numbers are no longer valid; use the 18-digit number")
    if len(number) != 18:
        raise InvalidIdNumber("id_length", "an ID number has 18 characters")
    if not _ID_SHAPE.fullmatch(number):
        raise InvalidIdNumber("id_chars", "an ID number is 17 digits followed by a digit or X")
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber("id_province", "the province code does not exist")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("id_birth_date", "the birth date is not a real date") from exc
    if birth < EARLIEST_BIRTH:
        raise InvalidIdNumber("id_birth_date", "the birth date is before 1900")
    if birth > (today if today is not None else date.today()):
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
    """True when ``validate_id_number`` accepts ``raw``."""
    try:
        validate_id_number(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def normalize_mobile(raw: str) -> str:
    """Return the 11-digit mainland mobile number or raise InvalidMobile.

    Removes whitespace (incl. U+3000), dashes, parentheses and dots; maps full-width digits and plus to ASCII;
    drops a leading +86, 0086 or 86 when exactly 11 characters remain. The result matches ``^1[3-9]\\d{9}$``.
    """
    digits = _MOBILE_SEPARATORS.sub("", raw.translate(_FULL_WIDTH))
    for prefix in _COUNTRY_PREFIXES:
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.fullmatch(digits):
        raise InvalidMobile()
    return digits


def is_valid_mobile(raw: str) -> bool:
    """True when ``normalize_mobile`` accepts ``raw``."""
    try:
        normalize_mobile(raw)
    except InvalidMobile:
        return False
    return True


# Unified social credit codes (统一社会信用代码, GB 32100-2015).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}", re.ASCII)


class InvalidCreditCode(ValueError):
    """Not a unified social credit code; ``code`` is "credit_code_length", "credit_code_chars" or
    "credit_code_check"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize_credit_code(raw: str) -> str:
    """Remove whitespace and dashes, map full-width digits and letters to ASCII upper case. No validation."""
    text = _ID_SEPARATORS.sub("", raw)
    mapped = "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in text)
    return mapped.upper()


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters: 31 − (Σ value × weight mod 31), 31 → 0."""
    if len(first17) != 17 or any(ch not in CREDIT_CODE_CHARSET for ch in first17):
        raise ValueError("need 17 characters of the credit-code charset")
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(raw: str) -> str:
    """Normalise and validate a unified social credit code; return it or raise InvalidCreditCode.

    Rules: 18 characters; registration-authority and type characters from the charset, six-digit
    administrative division, organisation code from the charset; last character equals the check character.
    """
    code = normalize_credit_code(raw)
    if len(code) != 18:
        raise InvalidCreditCode("credit_code_length", "a unified social credit code has 18 characters")
    if not _CREDIT_CODE_SHAPE.fullmatch(code):
        raise InvalidCreditCode("credit_code_chars", "the code contains characters that are not allowed")
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidCreditCode("credit_code_check", "the check character does not match")
    return code


def is_valid_credit_code(raw: str) -> bool:
    """True when ``validate_credit_code`` accepts ``raw``."""
    try:
        validate_credit_code(raw)
    except InvalidCreditCode:
        return False
    return True
