"""Money for CNY (元 with 分): Decimal only, one rounding policy.

Invariants: no float ever becomes money (TypeError); every rounding of money goes through
``quantize_money`` (ROUND_HALF_UP to 0.01, ties away from zero); rates are annual fractions with six places.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")
ZERO = Decimal("0.00")

MoneyInput = Decimal | int | str


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise TypeError("floats never touch money: pass a Decimal, an int or a string")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    else:
        raise TypeError(f"cannot make money of {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("money must be a finite number")
    return result


def quantize_money(value: Decimal) -> Decimal:
    """THE rounding policy: ROUND_HALF_UP to 0.01 (2.345 → 2.35, -2.345 → -2.35)."""
    if not isinstance(value, Decimal):
        raise TypeError("quantize_money takes a Decimal")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: MoneyInput) -> Decimal:
    """Parse and round an amount: Decimal, int or string ("1,234.56" allowed); floats raise TypeError."""
    return quantize_money(_to_decimal(value))


def to_rate(value: MoneyInput) -> Decimal:
    """An annual rate as a fraction (0.06 for 6%), six decimal places, never negative."""
    rate = _to_decimal(value).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if rate < 0:
        raise ValueError("a rate cannot be negative")
    return rate


def money_sum(values: Iterable[MoneyInput]) -> Decimal:
    """Exact sum of amounts (each parsed with ``to_money``); 0.00 for none."""
    total = ZERO
    for value in values:
        total += to_money(value)
    return quantize_money(total)


def money_str(value: Decimal) -> str:
    """API form: exactly two decimals, no separators ("8606.64", "-0.50")."""
    return f"{quantize_money(value):.2f}"


def format_money(value: Decimal, *, symbol: bool = False) -> str:
    """Display form with thousands separators: "1,234.56", "¥1,234.56", "-1,234.56"."""
    amount = quantize_money(value)
    text = f"{abs(amount):,.2f}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{'¥' if symbol else ''}{text}"


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; each part rounded, the last absorbs the residual.

    The parts always sum exactly to ``total``. Weights must be non-negative with a positive sum.
    """
    total = to_money(total)
    if not weights:
        raise ValueError("at least one weight is needed")
    if any(_to_decimal(w) < 0 for w in weights):
        raise ValueError("weights cannot be negative")
    weight_sum = sum((_to_decimal(w) for w in weights), Decimal(0))
    if weight_sum <= 0:
        raise ValueError("weights must sum to more than zero")
    parts = [quantize_money(total * _to_decimal(w) / weight_sum) for w in weights[:-1]]
    parts.append(total - sum(parts, ZERO))
    return parts
