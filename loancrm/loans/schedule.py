"""Repayment schedules to the fen (pure: no Django).

Conventions (defaults; products may pass other values):
- monthly rate = annual rate / 12; a period's interest = opening balance × monthly rate, ROUND_HALF_UP to 0.01;
- equal instalment (等额本息): payment = P·r(1+r)^n / ((1+r)^n − 1), rounded the same way (never up to a whole
  unit), principal = payment − interest; equal principal (等额本金): principal = P/n rounded; interest only
  (先息后本): the rounded interest each period, the principal in the last; bullet (到期还本付息): one payment at
  maturity with interest = P × annual rate × actual days / ``day_count`` (360);
- the last period absorbs every residual, so the principal column sums exactly to P;
- due date k = start date + k months, same day of month, clipped to the month's last day (anchored on the start
  date, so 31 Jan → 28 Feb → 31 Mar);
- a zero rate works for every method.

Invariants: every amount is a Decimal with two places, principal parts sum to the principal, no amount is negative,
``balance`` is the principal still owed after the period.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum

from loancrm.core.money import ZERO, quantize_money

__all__ = [
    "DEFAULT_DAY_COUNT",
    "MAX_TERM_MONTHS",
    "Keep",
    "Line",
    "Method",
    "Schedule",
    "ScheduleError",
    "add_months",
    "build_schedule",
    "day_interest",
    "due_dates",
    "reschedule",
]

DEFAULT_DAY_COUNT = 360
MAX_TERM_MONTHS = 600
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_UP)  # the power in the level payment, independent of the caller


class Method(StrEnum):
    EQUAL_INSTALLMENT = "equal_installment"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"
    BULLET = "bullet"


class Keep(StrEnum):
    """What a partial prepayment keeps: the number of periods (lower payment) or the payment (shorter term)."""

    TERM = "term"
    PAYMENT = "payment"


class ScheduleError(ValueError):
    """The inputs cannot make a schedule; ``field`` names the offending input."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Line:
    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    balance: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True, slots=True)
class Schedule:
    lines: tuple[Line, ...]

    @property
    def total_principal(self) -> Decimal:
        return sum((line.principal for line in self.lines), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((line.interest for line in self.lines), ZERO)

    @property
    def total_payment(self) -> Decimal:
        return self.total_principal + self.total_interest


def add_months(start: date, months: int) -> date:
    """``start`` + ``months`` calendar months on the same day, clipped to the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_dates(start: date, term_months: int) -> list[date]:
    """Due date of periods 1..n: start + k months (anchored on ``start``, never chained)."""
    return [add_months(start, k) for k in range(1, term_months + 1)]


def day_interest(balance: Decimal, annual_rate: Decimal, days: int, day_count: int = DEFAULT_DAY_COUNT) -> Decimal:
    """Interest on ``balance`` for ``days`` days: balance × annual rate × days / day_count, rounded to the fen."""
    if days <= 0:
        return ZERO
    return quantize_money(balance * annual_rate * days / day_count)


def build_schedule(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    method: Method | str,
    start_date: date,
    term_days: int | None = None,
    day_count: int = DEFAULT_DAY_COUNT,
) -> Schedule:
    """The schedule of a new loan. ``term_days`` (bullet only) sets maturity in days instead of months."""
    method = _method(method)
    principal = _check(principal, annual_rate)
    if method is Method.BULLET and term_days is not None:
        if not 1 <= term_days <= MAX_TERM_MONTHS * 31:
            raise ScheduleError("term_days", "term in days out of range")
        maturity = start_date + timedelta(days=term_days)
        return _bullet(principal, annual_rate, start_date, maturity, day_count)
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ScheduleError("term_months", f"term must be 1 to {MAX_TERM_MONTHS} months")
    dates = due_dates(start_date, term_months)
    if method is Method.BULLET:
        return _bullet(principal, annual_rate, start_date, dates[-1], day_count)
    return _amortise(principal, annual_rate / 12, dates, method, first_period=1)


def reschedule(
    *,
    balance: Decimal,
    annual_rate: Decimal,
    method: Method | str,
    remaining_due_dates: Sequence[date],
    first_period: int,
    keep: Keep | str = Keep.TERM,
    payment: Decimal | None = None,
    principal_per_period: Decimal | None = None,
    first_fraction: Decimal | None = None,
    period_start: date | None = None,
    day_count: int = DEFAULT_DAY_COUNT,
) -> Schedule:
    """The rest of a schedule after a partial prepayment, from the principal still owed.

    ``remaining_due_dates`` are the unchanged due dates still ahead (periods ``first_period``…). Keeping the term
    spreads ``balance`` over all of them; keeping the payment (equal instalment: ``payment``; equal principal:
    ``principal_per_period``) uses as few as needed, the last absorbing the residual. ``first_fraction`` (0–1]
    scales the first period's interest when the prepayment fell inside it (the days before it were settled with the
    prepayment). A bullet loan keeps its maturity: interest from ``period_start`` on the new balance.
    """
    method, keep = _method(method), Keep(keep)
    balance = _check(balance, annual_rate)
    if not remaining_due_dates:
        raise ScheduleError("remaining_due_dates", "no periods remain")
    if method is Method.BULLET:
        start = period_start or remaining_due_dates[0]
        single = _bullet(balance, annual_rate, start, remaining_due_dates[-1], day_count)
        line = single.lines[0]
        return Schedule((Line(first_period, line.due_date, line.principal, line.interest, ZERO),))
    rate = annual_rate / 12
    dates = list(remaining_due_dates)
    if keep is Keep.PAYMENT:
        if method is Method.INTEREST_ONLY:
            raise ScheduleError("keep", "an interest-only loan can only keep its term")
        dates = dates[: _periods_needed(balance, rate, method, dates, payment, principal_per_period, first_fraction)]
        if method is Method.EQUAL_PRINCIPAL:
            return _amortise(balance, rate, dates, method, first_period, first_fraction, fixed=principal_per_period)
        return _amortise(balance, rate, dates, method, first_period, first_fraction, fixed=payment)
    return _amortise(balance, rate, dates, method, first_period, first_fraction)


def _method(method: Method | str) -> Method:
    try:
        return Method(method)
    except ValueError:
        raise ScheduleError("method", f"unknown repayment method: {method!r}") from None


def _check(principal: Decimal, annual_rate: Decimal) -> Decimal:
    """The principal with exactly two places ("100000" → "100000.00"), once both inputs are checked."""
    if not isinstance(principal, Decimal) or quantize_money(principal) != principal or principal <= 0:
        raise ScheduleError("principal", "principal must be a positive amount in fen")
    if not isinstance(annual_rate, Decimal) or not 0 <= annual_rate <= 1:
        raise ScheduleError("annual_rate", "annual rate must be between 0 and 1")
    return quantize_money(principal)


def _level_payment(principal: Decimal, rate: Decimal, n: int) -> Decimal:
    if rate == 0:
        return quantize_money(principal / n)
    with localcontext(_CONTEXT):
        growth = (1 + rate) ** n
        return quantize_money(principal * rate * growth / (growth - 1))


def _amortise(
    principal: Decimal,
    rate: Decimal,
    dates: Sequence[date],
    method: Method,
    first_period: int,
    first_fraction: Decimal | None = None,
    fixed: Decimal | None = None,
) -> Schedule:
    n = len(dates)
    if method is Method.EQUAL_INSTALLMENT:
        level = fixed if fixed is not None else _level_payment(principal, rate, n)
    elif method is Method.EQUAL_PRINCIPAL:
        level = fixed if fixed is not None else quantize_money(principal / n)
    else:
        level = ZERO
    balance, lines = principal, []
    for index, due in enumerate(dates):
        interest = quantize_money(balance * rate)
        if index == 0 and first_fraction is not None:
            interest = quantize_money(balance * rate * first_fraction)
        if index == n - 1:
            part = balance
        elif method is Method.EQUAL_INSTALLMENT:
            part = min(max(level - interest, ZERO), balance)
        elif method is Method.EQUAL_PRINCIPAL:
            part = min(level, balance)
        else:
            part = ZERO
        balance -= part
        lines.append(Line(first_period + index, due, part, interest, balance))
    return Schedule(tuple(lines))


def _periods_needed(
    balance: Decimal,
    rate: Decimal,
    method: Method,
    dates: Sequence[date],
    payment: Decimal | None,
    principal_per_period: Decimal | None,
    first_fraction: Decimal | None = None,
) -> int:
    """How many of ``dates`` a kept payment needs to repay ``balance`` (all of them at most), with the first
    period's interest scaled by ``first_fraction`` exactly as ``_amortise`` will."""
    if method is Method.EQUAL_PRINCIPAL:
        if principal_per_period is None or principal_per_period <= 0:
            raise ScheduleError("principal_per_period", "the principal per period to keep is needed")
        return max(1, min(len(dates), math.ceil(balance / principal_per_period)))
    if payment is None or payment <= 0:
        raise ScheduleError("payment", "the payment to keep is needed")
    remaining = balance
    for count in range(1, len(dates) + 1):
        interest = quantize_money(remaining * rate)
        if count == 1 and first_fraction is not None:
            interest = quantize_money(remaining * rate * first_fraction)
        if remaining + interest <= payment:
            return count
        if payment <= interest:
            raise ScheduleError("payment", "the kept payment does not cover the interest")
        remaining -= payment - interest
    return len(dates)


def _bullet(principal: Decimal, annual_rate: Decimal, start: date, maturity: date, day_count: int) -> Schedule:
    interest = day_interest(principal, annual_rate, (maturity - start).days, day_count)
    return Schedule((Line(1, maturity, principal, interest, ZERO),))
