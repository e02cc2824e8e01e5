"""One portfolio row from text cells to typed values, with every cell's errors (pure: no Django).

Conventions: amounts are plain numbers ("100000", "100,000.00", full-width digits; a spreadsheet float artefact such
as 25819.920000000002 is read as 25819.92, a real third decimal is refused); the annual rate is "6%" / "6.5％" or a
fraction "0.06" (a bare number above 1 is refused as ambiguous); dates are ISO ("2026-01-15", also with "/" or
"." or 年月日, or 20260115) or an Excel serial day number; the repayment method is its Chinese name or code.

Invariants: ``parse_row`` returns either a ``ParsedRow`` or a non-empty list of ``RowError`` (field, stable code,
parameters) — every failing cell reported, not only the first; nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from typing import Any

from loancrm.core.china_ids import InvalidIdNumber, InvalidMobile, normalize_mobile, validate_id_number
from loancrm.core.money import ZERO, quantize_money, to_rate
from loancrm.loans.schedule import MAX_TERM_MONTHS, Method, Schedule, ScheduleError, add_months, build_schedule

MAX_AMOUNT = Decimal("9999999999999999.99")
MAX_TERM_DAYS = MAX_TERM_MONTHS * 31
EXCEL_EPOCH = dt.date(1899, 12, 30)
LENGTHS = {"contract_no": 40, "customer_name": 120, "product_code": 40, "officer": 150}
METHODS: dict[str, str] = {
    "等额本息": Method.EQUAL_INSTALLMENT,
    "等额本金": Method.EQUAL_PRINCIPAL,
    "先息后本": Method.INTEREST_ONLY,
    "按月付息到期还本": Method.INTEREST_ONLY,
    "按月付息,到期还本": Method.INTEREST_ONLY,
    "到期还本付息": Method.BULLET,
    "一次性还本付息": Method.BULLET,
    "利随本清": Method.BULLET,
    "equal installment": Method.EQUAL_INSTALLMENT,
    "equal instalment": Method.EQUAL_INSTALLMENT,
    "equal principal": Method.EQUAL_PRINCIPAL,
    "interest only": Method.INTEREST_ONLY,
    "bullet": Method.BULLET,
    **{method.value: method.value for method in Method},
}
_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {
    ord("，"): ord(","), ord("．"): ord("."), ord("％"): ord("%"), ord("－"): ord("-"), ord("／"): ord("/"),
}  # fmt: skip
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|[+-]?\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(?:[ T]00:00(?::00)?)?")
_COMPACT_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_SERIAL = re.compile(r"[0-9]{4,5}(?:\.0+)?")
_BLANKS = re.compile(r"[\s\u3000]+")
_UNIT = re.compile(r"\s*(?:期|个月|月|天|日|months?|days?)$", re.IGNORECASE)


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell: ``field`` ("" for the row), a stable ``code``, message ``params``."""

    field: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def as_dict(self, row: int) -> dict[str, Any]:
        return {"row": row, "field": self.field, "code": self.code, "params": self.params}


@dataclass(frozen=True)
class ParsedRow:
    contract_no: str
    customer_name: str
    id_number: str  # normalised 18 characters
    mobile: str  # normalised, or ""
    product_code: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    term_days: int | None
    method: str
    start_date: dt.date
    repaid_total: Decimal
    last_repaid_on: dt.date | None
    officer: str
    schedule: Schedule


class _Errors(list[RowError]):
    def add(self, name: str, code: str, **params: Any) -> None:
        self.append(RowError(name, code, params))


def clean_text(value: str) -> str:
    return _BLANKS.sub(" ", value or "").strip()


def name_key(name: str) -> str:
    """A person's name for comparison: no blanks at all, case-folded (张 三 = 张三)."""
    return _BLANKS.sub("", name or "").casefold()


def parse_decimal(text: str) -> Decimal | None:
    """A plain-notation number (thousands separators, full-width digits allowed); None if it is not one."""
    text = (text or "").strip().translate(_FULL_WIDTH)
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover (the pattern admits only valid literals)
        return None


def parse_amount(text: str) -> tuple[Decimal | None, str]:
    """(amount on the fen, "") or (None, error code)."""
    value = parse_decimal(text)
    if value is None or abs(value) > MAX_AMOUNT:
        return None, "amount_invalid"
    rounded = quantize_money(value)
    if abs(rounded - value) > Decimal("0.000001"):
        return None, "amount_decimals"
    return rounded, ""


def parse_rate(text: str) -> tuple[Decimal | None, str]:
    """An annual rate as a fraction: "6%" → 0.06, "0.06" → 0.06; a bare number above 1 is ambiguous."""
    raw = (text or "").strip().translate(_FULL_WIDTH).replace(" ", "")
    percent = raw.endswith("%")
    value = parse_decimal(raw[:-1] if percent else raw)
    if value is None:
        return None, "rate_invalid"
    if percent:
        value = value / 100
    elif value > 1:
        return None, "rate_ambiguous"
    if not 0 <= value <= 1:
        return None, "rate_range"
    return to_rate(value), ""


def parse_int(text: str) -> int | None:
    value = parse_decimal(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def parse_date(text: str) -> dt.date | None:
    """ISO-like dates, 20260115, or an Excel serial day number (as a date cell of an .xlsx is stored)."""
    text = (text or "").strip().translate(_FULL_WIDTH)
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if _SERIAL.fullmatch(text) and 10_000 <= float(text) < 100_000:
            return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    except ValueError:
        return None
    return None


def parse_method(text: str) -> str:
    key = re.sub(r"[\s_\-，,]+", " ", (text or "").strip().casefold()).strip()
    return METHODS.get(key) or METHODS.get(key.replace(" ", "_")) or METHODS.get(key.replace(" ", "")) or ""


def term_in_months(start: dt.date, days: int) -> int:
    """The whole months a term of ``days`` reaches into (the loan's ``term_months`` for a term in days)."""
    maturity = start + dt.timedelta(days=days)
    months = 1
    while add_months(start, months) < maturity and months < MAX_TERM_MONTHS:
        months += 1
    return months


def _required(values: dict[str, str], name: str, errors: _Errors) -> str:
    text = clean_text(values.get(name, ""))
    if not text:
        errors.add(name, "required")
    elif name in LENGTHS and len(text) > LENGTHS[name]:
        errors.add(name, "too_long", max=LENGTHS[name])
    return text


def _date(values: dict[str, str], name: str, errors: _Errors, business_date: dt.date) -> dt.date | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    value = parse_date(text)
    if value is None:
        errors.add(name, "date_invalid")
    elif value > business_date:
        errors.add(name, "date_future", date=business_date.isoformat())
        return None
    return value


def _term(values: dict[str, str], method: str, errors: _Errors) -> tuple[int | None, int | None]:
    months_text, days_text = (_UNIT.sub("", values.get(name, "").strip()) for name in ("term_months", "term_days"))
    months = days = None
    if months_text:
        months = parse_int(months_text)
        if months is None or not 1 <= months <= MAX_TERM_MONTHS:
            errors.add("term_months", "term_months_range", max=MAX_TERM_MONTHS)
            months = None
    if days_text:
        days = parse_int(days_text)
        if days is None or not 1 <= days <= MAX_TERM_DAYS:
            errors.add("term_days", "term_days_range", max=MAX_TERM_DAYS)
            days = None
        elif method and method != Method.BULLET:
            errors.add("term_days", "term_days_method")
            days = None
    if months is not None and days is not None:
        errors.add("term_days", "term_both")
    elif not months_text and not days_text:
        errors.add("term_months", "term_missing")
    return months, days


def parse_row(values: dict[str, str], *, business_date: dt.date, today: dt.date) -> ParsedRow | list[RowError]:
    """The typed row, or every error found in its cells (see module docstring for the accepted forms)."""
    errors = _Errors()
    contract_no = _required(values, "contract_no", errors)
    customer_name = _required(values, "customer_name", errors)
    product_code = _required(values, "product_code", errors)
    officer = clean_text(values.get("officer", ""))
    if len(officer) > LENGTHS["officer"]:
        errors.add("officer", "too_long", max=LENGTHS["officer"])
    id_number = ""
    if not values.get("id_number", "").strip():
        errors.add("id_number", "required")
    else:
        try:
            id_number = validate_id_number(values["id_number"], today=today).number
        except InvalidIdNumber as exc:
            errors.add("id_number", exc.code)
    mobile = ""
    if values.get("mobile", "").strip():
        try:
            mobile = normalize_mobile(values["mobile"])
        except InvalidMobile:
            errors.add("mobile", "mobile_invalid")
    principal = None
    if not values.get("principal", "").strip():
        errors.add("principal", "required")
    else:
        principal, code = parse_amount(values["principal"])
        if code:
            errors.add("principal", code)
        elif principal is not None and principal <= 0:
            errors.add("principal", "amount_positive")
            principal = None
    rate = None
    if not values.get("annual_rate", "").strip():
        errors.add("annual_rate", "required")
    else:
        rate, code = parse_rate(values["annual_rate"])
        if code:
            errors.add("annual_rate", code)
    method = ""
    if not values.get("method", "").strip():
        errors.add("method", "required")
    else:
        method = parse_method(values["method"])
        if not method:
            errors.add("method", "method_unknown")
    months, days = _term(values, method, errors)
    start = _date(values, "start_date", errors, business_date)
    if start is None and not values.get("start_date", "").strip():
        errors.add("start_date", "required")
    repaid = ZERO
    if values.get("repaid_total", "").strip():
        parsed, code = parse_amount(values["repaid_total"])
        if code or parsed is None or parsed < 0:
            errors.add("repaid_total", code or "amount_negative")
        else:
            repaid = parsed
    last_repaid_on = _date(values, "last_repaid_on", errors, business_date)
    if last_repaid_on is not None:
        if start is not None and last_repaid_on < start:
            errors.add("last_repaid_on", "date_before_start")
        elif not repaid and not any(e.field == "repaid_total" for e in errors):
            errors.add("last_repaid_on", "date_without_amount")
    if errors:
        return list(errors)
    assert principal is not None and rate is not None and start is not None
    if days is not None:
        months = term_in_months(start, days)
    assert months is not None
    try:
        schedule = build_schedule(principal=principal, annual_rate=rate, term_months=months, method=method,
                                  start_date=start, term_days=days)  # fmt: skip
    except ScheduleError as exc:  # the checks above leave little; map what remains to the cell
        return [RowError(exc.field if exc.field in values else "", "schedule_invalid", {"detail": str(exc)})]
    if repaid > schedule.total_payment:
        return [RowError("repaid_total", "repaid_exceeds", {"total": f"{schedule.total_payment:.2f}"})]
    return ParsedRow(
        contract_no=contract_no, customer_name=customer_name, id_number=id_number, mobile=mobile,
        product_code=product_code, principal=principal, annual_rate=rate, term_months=months, term_days=days,
        method=method, start_date=start, repaid_total=repaid, last_repaid_on=last_repaid_on, officer=officer,
        schedule=schedule,
    )  # fmt: skip
