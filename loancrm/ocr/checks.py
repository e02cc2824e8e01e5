"""Checks on a read ID card, for a human reviewer. Pure: no Django.

``check_card`` returns findings, each a stable ``code`` (also its message key, see ``loancrm.ocr.messages``), a
``severity`` ("error": the card contradicts itself or the application; "warning": something could not be read
well enough to trust; "info": noted, no review needed), the ``field`` it concerns and ``params`` for the message.
``needs_review`` is true when any finding is a warning or an error: a mismatch or a doubtful read is never passed
silently.

Every code is in ``CODES`` (``wrong_side`` and ``sides_swapped`` are raised by ``service`` on side detection).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from loancrm.core.china_ids import PROVINCE_CODES, id_check_digit, normalize_id_number
from loancrm.ocr.idcard import ETHNICITIES, BackSide, Field, FrontSide, parse_validity
from loancrm.ocr.lines import normalise_name

__all__ = ["CODES", "DEFAULT_THRESHOLD", "Finding", "Severity", "check_card", "needs_review"]

CODES = (
    "missing_field", "low_confidence", "back_missing", "id_malformed", "id_region_unknown", "id_birth_date_invalid",
    "id_check_digit", "birth_date_mismatch", "gender_mismatch", "ethnicity_unknown", "validity_unreadable",
    "validity_reversed", "validity_not_started", "validity_expired", "name_mismatch", "id_number_mismatch",
    "sides_swapped", "wrong_side",
)  # fmt: skip

DEFAULT_THRESHOLD = 0.90
Severity = Literal["error", "warning", "info"]
Param = str | int | float
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    field: str = ""
    params: dict[str, Param] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "field": self.field, "params": dict(self.params)}


def needs_review(findings: list[Finding]) -> bool:
    return any(finding.severity != "info" for finding in findings)


def _read(fields: dict[str, Field | None], threshold: float) -> list[Finding]:
    found = []
    for name, value in fields.items():
        if value is None:
            found.append(Finding("missing_field", "warning", name))
        elif value.confidence < threshold:
            params: dict[str, Param] = {"confidence": round(value.confidence, 3), "threshold": threshold}
            found.append(Finding("low_confidence", "warning", name, params))
    return found


def _id_number(front: FrontSide) -> list[Finding]:
    """The number's own rules, each checked on its own so a reviewer sees every one that fails."""
    if front.id_number is None:
        return []
    number = front.id_number.value
    if not _ID_SHAPE.fullmatch(number):
        return [Finding("id_malformed", "error", "id_number", {"length": len(number)})]
    found = []
    if number[:2] not in PROVINCE_CODES:
        found.append(Finding("id_region_unknown", "error", "id_number", {"region": number[:6]}))
    born = _birth_in(number)
    if born is None:
        found.append(Finding("id_birth_date_invalid", "error", "id_number", {"digits": number[6:14]}))
    if id_check_digit(number[:17]) != number[17]:
        found.append(Finding("id_check_digit", "error", "id_number", {"expected": id_check_digit(number[:17])}))
    if born is not None and front.birth_date is not None and front.birth_date.value != born.isoformat():
        params: dict[str, Param] = {"printed": front.birth_date.value, "in_number": born.isoformat()}
        found.append(Finding("birth_date_mismatch", "error", "birth_date", params))
    gender = "男" if int(number[16]) % 2 else "女"
    if front.gender is not None and front.gender.value != gender:
        params = {"printed": front.gender.value, "in_number": gender}
        found.append(Finding("gender_mismatch", "error", "gender", params))
    return found


def _birth_in(number: str) -> date | None:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if born.year >= 1900 else None


def _validity(back: BackSide, today: date) -> list[Finding]:
    if back.validity is None:
        return []
    period = parse_validity(back.validity.value)
    if period is None:
        return [Finding("validity_unreadable", "error", "validity", {"value": back.validity.value})]
    start, end = period
    found = []
    if end is not None and start > end:
        params: dict[str, Param] = {"start": start.isoformat(), "end": end.isoformat()}
        found.append(Finding("validity_reversed", "error", "validity", params))
    if start > today:
        found.append(Finding("validity_not_started", "error", "validity", {"start": start.isoformat()}))
    if end is not None and end < today:
        found.append(Finding("validity_expired", "error", "validity", {"end": end.isoformat()}))
    return found


def _entered(front: FrontSide, entered_name: str | None, entered_id_number: str | None) -> list[Finding]:
    found = []
    name = front.name
    if entered_name is not None and name is not None and normalise_name(entered_name) != normalise_name(name.value):
        found.append(Finding("name_mismatch", "error", "name"))
    number = front.id_number
    if entered_id_number is not None and number is not None and _entered_number(entered_id_number) != number.value:
        found.append(Finding("id_number_mismatch", "error", "id_number"))
    return found


def _entered_number(raw: str) -> str:
    """An ID number as typed on the application, folded like the card's: full-width, spaces, dashes, x."""
    return normalize_id_number(normalise_name(raw)).upper()


def check_card(
    front: FrontSide,
    back: BackSide | None,
    *,
    today: date,
    entered_name: str | None = None,
    entered_id_number: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Finding]:
    """Every finding on a card: reading (missing, low confidence), the ID number's rules, the number against the
    printed birth date and gender, the validity period on ``today``, and the card against the name and number
    entered on the application (``None``: not compared). ``back`` None: the back was not supplied."""
    fields = front.fields()
    if back is not None:
        fields |= back.fields()
    found = _read(fields, threshold)
    if back is None:
        found.append(Finding("back_missing", "warning", "validity"))
    found += _id_number(front)
    if front.ethnicity is not None and front.ethnicity.value not in ETHNICITIES:
        found.append(Finding("ethnicity_unknown", "warning", "ethnicity", {"value": front.ethnicity.value}))
    if back is not None:
        found += _validity(back, today)
    found += _entered(front, entered_name, entered_id_number)
    return found
