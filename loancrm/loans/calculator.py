"""The loan calculator: raw input from the API or the staff page → a validated repayment schedule.

One service for both. Amounts and rates come as text in plain notation ("100000.00", "100,000.00" and full-width
digits too; never floats); every refusal is one ``CalculatorInvalid`` (422) listing a message per field in the
active language. The page sends the rate in percent (``rate_unit=RateUnit.PERCENT``), the API as a fraction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import ValidationFailed
from loancrm.core.money import quantize_money, to_rate
from loancrm.loans.schedule import MAX_TERM_MONTHS, Method, Schedule, ScheduleError, build_schedule

__all__ = [
    "MAX_PRINCIPAL",
    "MAX_TERM_DAYS",
    "CalculatorInput",
    "CalculatorInvalid",
    "RateUnit",
    "calculator_input",
    "schedule_calculate",
]

MAX_PRINCIPAL = Decimal("9999999999999999.99")  # what DecimalField(max_digits=18, decimal_places=2) holds
MAX_TERM_DAYS = MAX_TERM_MONTHS * 31
_NUMBER = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", re.ASCII)
_INTEGER = re.compile(r"-?[0-9]{1,9}", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_FIRST_YEAR, _LAST_YEAR = 1900, 2200  # keeps start + 600 months a real date

REQUIRED = _("This field is required.")
PRINCIPAL_POSITIVE = _("Enter a principal greater than zero, such as 100000.00.")
PRINCIPAL_PLACES = _("Enter the principal in yuan with at most two decimal places.")
OUT_OF_RANGE = _("Value out of range.")
RATE_FRACTION = _("Enter an annual rate from 0 to 1, such as 0.06.")
RATE_PERCENT = _("Enter an annual rate from 0 to 100, such as 6 or 4.35.")
RATE_PLACES = _("Enter a rate with at most %(places)d decimal places.")
TERM_MONTHS = _("Enter a term from 1 to %(max)d months.")
TERM_DAYS = _("Enter a term from 1 to %(max)d days.")
TERM_DAYS_BULLET_ONLY = _("A term in days applies to the bullet method only.")
TERM_ONE_OF = _("Give the term in months or in days, not both.")
METHOD = _("Choose one of the allowed values.")
START_DATE = _("Enter a valid date (YYYY-MM-DD).")


class CalculatorInvalid(ValidationFailed):
    """The calculator's input is invalid: ``fields`` maps each input to its messages."""

    status = 422


class RateUnit(StrEnum):
    FRACTION = "fraction"  # 0.06 for 6 %
    PERCENT = "percent"  # 6 for 6 %


_RATE_PLACES = {RateUnit.FRACTION: 6, RateUnit.PERCENT: 4}


@dataclass(frozen=True, slots=True)
class CalculatorInput:
    principal: Decimal
    annual_rate: Decimal  # always a fraction
    term_months: int | None
    method: Method
    start_date: date
    term_days: int | None


def schedule_calculate(
    *,
    principal: Any,
    annual_rate: Any,
    term_months: Any,
    method: Any,
    start_date: Any,
    term_days: Any = None,
    rate_unit: RateUnit = RateUnit.FRACTION,
) -> Schedule:
    """Validate the raw inputs and build the schedule (``CalculatorInvalid`` with every field's problem)."""
    parsed = calculator_input(
        principal=principal, annual_rate=annual_rate, term_months=term_months, method=method,
        start_date=start_date, term_days=term_days, rate_unit=rate_unit,
    )  # fmt: skip
    try:
        return build_schedule(
            principal=parsed.principal, annual_rate=parsed.annual_rate, term_months=parsed.term_months or 0,
            method=parsed.method, start_date=parsed.start_date, term_days=parsed.term_days,
        )  # fmt: skip
    except ScheduleError as exc:  # the checks above cover the schedule's own; kept as a guard
        raise CalculatorInvalid(fields={exc.field: [OUT_OF_RANGE]}) from exc


def calculator_input(
    *,
    principal: Any,
    annual_rate: Any,
    term_months: Any,
    method: Any,
    start_date: Any,
    term_days: Any = None,
    rate_unit: RateUnit = RateUnit.FRACTION,
) -> CalculatorInput:
    """Parse and check every input, collecting all problems before refusing."""
    errors: dict[str, list[Any]] = {}

    def check(name: str, parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except _Invalid as exc:
            errors[name] = [exc.message]
            return None

    amount = check("principal", _principal, principal)
    rate = check("annual_rate", _rate, annual_rate, rate_unit)
    kind = check("method", _method, method)
    months = check("term_months", _integer, term_months, MAX_TERM_MONTHS, TERM_MONTHS)
    days = check("term_days", _integer, term_days, MAX_TERM_DAYS, TERM_DAYS)
    start = check("start_date", _date, start_date)
    _check_terms(errors, kind, term_months, term_days, months, days)
    if errors:
        raise CalculatorInvalid(fields=errors)
    return CalculatorInput(amount, rate, months, kind, start, days)


class _Invalid(Exception):
    def __init__(self, message: Any):
        self.message = message


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""


def _number(value: Any, message: Any) -> Decimal:
    """An exact Decimal from plain-notation text (or an int / Decimal); floats are refused."""
    if _blank(value):
        raise _Invalid(REQUIRED)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    text = _text(value)
    if not _NUMBER.fullmatch(text):
        raise _Invalid(message)
    return Decimal(text.replace(",", ""))


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _principal(value: Any) -> Decimal:
    amount = _number(value, PRINCIPAL_POSITIVE)
    if amount <= 0:
        raise _Invalid(PRINCIPAL_POSITIVE)
    if _places(amount) > 2:
        raise _Invalid(PRINCIPAL_PLACES)
    if amount > MAX_PRINCIPAL:
        raise _Invalid(OUT_OF_RANGE)
    return quantize_money(amount)


def _rate(value: Any, unit: RateUnit) -> Decimal:
    message = RATE_PERCENT if unit is RateUnit.PERCENT else RATE_FRACTION
    rate = _number(value, message)
    if not 0 <= rate <= (100 if unit is RateUnit.PERCENT else 1):
        raise _Invalid(message)
    if _places(rate) > _RATE_PLACES[unit]:
        raise _Invalid(RATE_PLACES % {"places": _RATE_PLACES[unit]})
    return to_rate(rate / 100 if unit is RateUnit.PERCENT else rate)


def _method(value: Any) -> Method:
    if _blank(value):
        raise _Invalid(REQUIRED)
    try:
        return Method(value)
    except ValueError:
        raise _Invalid(METHOD) from None


def _integer(value: Any, maximum: int, message: Any) -> int | None:
    """A whole number from 1 to ``maximum``, or None when blank (whether it is needed is decided later)."""
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Invalid(message % {"max": maximum})
    text = _text(value) if isinstance(value, str) else str(value)
    if not _INTEGER.fullmatch(text) or not 1 <= int(text) <= maximum:
        raise _Invalid(message % {"max": maximum})
    return int(text)


def _date(value: Any) -> date:
    if _blank(value):
        raise _Invalid(REQUIRED)
    parsed = value if isinstance(value, date) else _iso_date(_text(value))
    if not _FIRST_YEAR <= parsed.year < _LAST_YEAR:
        raise _Invalid(OUT_OF_RANGE)
    return parsed


def _iso_date(text: str) -> date:
    """YYYY-MM-DD only (``date.fromisoformat`` alone would also take "20260115" or "2026-W03")."""
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _Invalid(START_DATE)


def _check_terms(
    errors: dict[str, list[Any]], method: Method | None, raw_months: Any, raw_days: Any, months: Any, days: Any
) -> None:
    """Months are needed unless a bullet loan gives its term in days; days are for bullet loans only."""
    has_months, has_days = not _blank(raw_months), not _blank(raw_days)
    if has_days and method is not None and method is not Method.BULLET:
        errors.setdefault("term_days", [TERM_DAYS_BULLET_ONLY])
    elif has_days and has_months and method is Method.BULLET:
        errors.setdefault("term_days", [TERM_ONE_OF])
    if not has_months and not (has_days and method is Method.BULLET):
        errors.setdefault("term_months", [REQUIRED])
