"""Overdue maths (pure: no Django): penalty interest (罚息), compound interest (复利), interest accrual to a date,
days past due and the lookups of M-buckets and the five-level classification.

Conventions (see docs/eod.md):
- Amounts are cumulative: what is owed *to a date*, rounded once (``core.money.quantize_money``); a daily run posts
  the difference from what was already accrued, so daily rounding never drifts from the to-date figure.
- Penalty on an instalment = Σ over its late days of the principal still owed that day × penalty rate / day count;
  compound = the same over the interest still owed, at the compound rate (the penalty rate, or 0 when switched off).
  A payment valued on day v still counts on day v (a payment 10 days late pays 10 days); its amount stops counting
  from v + 1. The two parts are rounded separately and added.
- Grace: an instalment late by at most ``grace_days`` (paid within them, or not yet past them) owes no penalty and
  is not past due; past them, penalty and DPD count from the due date.
- Bands (buckets, classes) are inclusive ranges of DPD, ordered, contiguous from 0, the last one open-ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from loancrm.core.money import ZERO, quantize_money

__all__ = [
    "DEFAULT_BUCKETS",
    "DEFAULT_CLASSES",
    "Band",
    "LatePayment",
    "Penalty",
    "band_for",
    "check_bands",
    "days_late",
    "days_past_due",
    "interest_to_date",
    "overdue_bases",
    "penalty_rate",
    "penalty_to_date",
]

RATE_PLACES = Decimal("0.00000001")


@dataclass(frozen=True, slots=True)
class Band:
    """``code`` for DPD from ``min_dpd`` to ``max_dpd`` inclusive (None: no upper end)."""

    code: str
    min_dpd: int
    max_dpd: int | None


DEFAULT_BUCKETS: tuple[Band, ...] = (
    Band("M0", 0, 0),
    Band("M1", 1, 30),
    Band("M2", 31, 60),
    Band("M3", 61, 90),
    Band("M4", 91, 120),
    Band("M5", 121, 150),
    Band("M6", 151, 180),
    Band("M7+", 181, None),
)
# 五级分类 from DPD, after the 2023 risk-classification rules (逾期 > 90 天至少次级, > 270 可疑, > 360 损失).
DEFAULT_CLASSES: tuple[Band, ...] = (
    Band("normal", 0, 0),
    Band("special_mention", 1, 90),
    Band("substandard", 91, 270),
    Band("doubtful", 271, 360),
    Band("loss", 361, None),
)


def check_bands(bands: Sequence[Band]) -> None:
    """ValueError unless the bands start at 0, follow each other without gap or overlap and only the last is open."""
    if not bands:
        raise ValueError("at least one band is needed")
    expected = 0
    for index, band in enumerate(bands):
        if band.min_dpd != expected:
            raise ValueError(f"band {band.code} must start at {expected}")
        last = index == len(bands) - 1
        if band.max_dpd is None:
            if not last:
                raise ValueError(f"only the last band may be open-ended ({band.code} is not last)")
            return
        if band.max_dpd < band.min_dpd:
            raise ValueError(f"band {band.code} ends before it starts")
        expected = band.max_dpd + 1
    raise ValueError("the last band must be open-ended")


def band_for(dpd: int, bands: Sequence[Band]) -> str:
    """The code of the band holding ``dpd`` (bands as ``check_bands`` accepts them)."""
    if dpd < 0:
        raise ValueError("days past due cannot be negative")
    for band in bands:
        if band.min_dpd <= dpd and (band.max_dpd is None or dpd <= band.max_dpd):
            return band.code
    raise ValueError(f"no band holds {dpd} days")


def days_past_due(oldest_unpaid_due: dt.date | None, as_of: dt.date, grace_days: int = 0) -> int:
    """Days past due on ``as_of`` of a loan whose oldest unpaid instalment fell due on ``oldest_unpaid_due``."""
    if oldest_unpaid_due is None:
        return 0
    days = (as_of - oldest_unpaid_due).days
    return days if days > grace_days else 0


def penalty_rate(annual_rate: Decimal, multiplier: Decimal) -> Decimal:
    """The annual penalty rate: contract rate × multiplier, to eight places."""
    return (annual_rate * multiplier).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class LatePayment:
    """Principal and interest of one instalment paid on ``value_date`` (only payments after the due date matter)."""

    value_date: dt.date
    principal: Decimal = ZERO
    interest: Decimal = ZERO


def _counted(value_date: dt.date, due_date: dt.date, days: int) -> int:
    return min(max((value_date - due_date).days, 0), days)


def overdue_bases(
    *,
    due_date: dt.date,
    as_of: dt.date,
    principal_outstanding: Decimal,
    interest_outstanding: Decimal,
    payments: Iterable[LatePayment] = (),
) -> tuple[Decimal, Decimal]:
    """(principal-days, interest-days) from the day after ``due_date`` through ``as_of``: what is owed now counts
    every day, an amount paid on day v counts the days up to v."""
    days = max((as_of - due_date).days, 0)
    principal_days = principal_outstanding * days
    interest_days = interest_outstanding * days
    for payment in payments:
        counted = _counted(payment.value_date, due_date, days)
        principal_days += payment.principal * counted
        interest_days += payment.interest * counted
    return principal_days, interest_days


def days_late(*, due_date: dt.date, as_of: dt.date, outstanding: Decimal, payments: Iterable[LatePayment] = ()) -> int:
    """How late the instalment is (still owing) or was (its last late payment), as of ``as_of``."""
    days = max((as_of - due_date).days, 0)
    if outstanding > 0:
        return days
    return max((_counted(p.value_date, due_date, days) for p in payments if p.principal or p.interest), default=0)


@dataclass(frozen=True, slots=True)
class Penalty:
    on_principal: Decimal
    compound: Decimal

    @property
    def total(self) -> Decimal:
        return self.on_principal + self.compound


NO_PENALTY = Penalty(ZERO, ZERO)


def penalty_to_date(
    *,
    due_date: dt.date,
    as_of: dt.date,
    principal_outstanding: Decimal,
    interest_outstanding: Decimal,
    rate: Decimal,
    compound_rate: Decimal,
    payments: Sequence[LatePayment] = (),
    day_count: int = 360,
    grace_days: int = 0,
) -> Penalty:
    """Penalty and compound interest owed on one instalment through ``as_of`` (see the module conventions)."""
    late = days_late(
        due_date=due_date, as_of=as_of, outstanding=principal_outstanding + interest_outstanding, payments=payments
    )
    if late <= grace_days:
        return NO_PENALTY
    principal_days, interest_days = overdue_bases(
        due_date=due_date, as_of=as_of, principal_outstanding=principal_outstanding,
        interest_outstanding=interest_outstanding, payments=payments,
    )  # fmt: skip
    with localcontext() as ctx:
        ctx.prec = 60
        on_principal = principal_days * rate / day_count
        compound = interest_days * compound_rate / day_count
    return Penalty(quantize_money(on_principal), quantize_money(compound))


def interest_to_date(interest_due: Decimal, period_start: dt.date, due_date: dt.date, as_of: dt.date) -> Decimal:
    """Interest of a period earned by ``as_of``: its interest × elapsed days / days in the period, rounded; all of it
    from the due date on (a period of no days is earned at once)."""
    period_days = (due_date - period_start).days
    elapsed = (as_of - period_start).days
    if period_days <= 0 or elapsed >= period_days:
        return interest_due
    if elapsed <= 0:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 60
        return quantize_money(interest_due * elapsed / period_days)
