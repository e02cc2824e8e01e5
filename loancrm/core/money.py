"""Money for CNY (元 with 分): Decimal only, one rounding policy.

Invariants:
- no float (or bool) ever becomes money or a rate: TypeError;
- every amount this module returns is a finite Decimal with exactly two places, never ``-0.00``;
- every rounding of money goes through ``quantize_money``: ROUND_HALF_UP to 0.01 (ties away from zero);
- arithmetic runs in a fixed private Decimal context, so results do not depend on the caller's context,
  and amounts too large to hold raise ValueError, never ``decimal.InvalidOperation``;
- rates are annual fractions (0.06 for 6 %) with six places, never negative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

__all__ = [
    "CENT",
    "RATE_PLACES",
    "ZERO",
    "MoneyInput",
    "allocate",
    "fen",
    "fen_str",
    "format_money",
    "money_str",
    "money_sum",
    "quantize_money",
    "to_money",
    "to_rate",
]

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")
ZERO = Decimal("0.00")

MoneyInput = Decimal | int | str

# 40 significant digits: exact for any realistic sum, and plenty of guard digits for allocate's division.
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])
# Plain decimal notation, optionally with correctly grouped thousands: "1234.5", "-1,234.56". No exponents.
_AMOUNT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", re.ASCII)
_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {ord("，"): ord(","), ord("．"): ord(".")}


def _to_decimal(value: object) -> Decimal:
    """Exact, finite Decimal from a Decimal, an int or a plain-notation string; no rounding."""
    if isinstance(value, bool | float):
        raise TypeError("floats never touch money: pass a Decimal, an int or a string")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().translate(_FULL_WIDTH)
        if not _AMOUNT.fullmatch(text):
            raise ValueError(f"not an amount: {value!r}")
        result = Decimal(text.replace(",", ""))
    else:
        raise TypeError(f"cannot make money of {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("money must be a finite number")
    return result


def _quantize(value: Decimal, places: Decimal) -> Decimal:
    try:
        result = value.quantize(places, rounding=ROUND_HALF_UP, context=_CONTEXT)
    except InvalidOperation as exc:
        raise ValueError(f"{value} is too large") from exc
    return result.copy_abs() if result.is_zero() else result  # no "-0.00"


def quantize_money(value: Decimal) -> Decimal:
    """THE rounding policy: ROUND_HALF_UP to 0.01 (2.345 → 2.35, -2.345 → -2.35, -0.001 → 0.00).

    Takes a finite Decimal only (TypeError otherwise, ValueError for NaN/Infinity).
    """
    if not isinstance(value, Decimal):
        raise TypeError("quantize_money takes a Decimal")
    if not value.is_finite():
        raise ValueError("money must be a finite number")
    return _quantize(value, CENT)


def to_money(value: MoneyInput) -> Decimal:
    """Parse and round an amount.

    Accepts a Decimal, an int, or a string in plain notation with optional thousands separators
    ("1,234.56", surrounding spaces and full-width digits allowed). Floats and bools raise TypeError;
    NaN, Infinity, exponents and anything unparseable raise ValueError.
    """
    return quantize_money(_to_decimal(value))


def to_rate(value: MoneyInput) -> Decimal:
    """An annual rate as a fraction (0.06 for 6 %) with six places, ROUND_HALF_UP; negative input raises ValueError."""
    rate = _to_decimal(value)
    if rate < 0:
        raise ValueError("a rate cannot be negative")
    return _quantize(rate, RATE_PLACES)


def money_sum(values: Iterable[MoneyInput]) -> Decimal:
    """Exact sum of amounts, each parsed (and so rounded to the fen) by ``to_money``; 0.00 for none."""
    if isinstance(values, str | bytes | Decimal | int):
        raise TypeError("money_sum takes an iterable of amounts, not a single amount")
    with localcontext(_CONTEXT):
        total = sum((to_money(value) for value in values), ZERO)
    return quantize_money(total)


def money_str(value: Decimal) -> str:
    """API form: exactly two decimals, no separators, no symbol ("8606.64", "-0.50")."""
    return f"{quantize_money(value):.2f}"


def fen(value: Decimal) -> int:
    """An amount on the fen as a whole number of fen (8606.64 → 860664); ValueError when it is not on the fen."""
    number = value.scaleb(2, _CONTEXT)
    if number != number.to_integral_value():
        raise ValueError(f"{value} is not on the fen")
    return int(number)


def fen_str(count: int) -> str:
    """A whole number of fen in the API form of ``money_str`` (860664 → "8606.64", -50 → "-0.50")."""
    sign, count = ("-", -count) if count < 0 else ("", count)
    return f"{sign}{count // 100}.{count % 100:02d}"


def format_money(value: Decimal, *, symbol: bool = False) -> str:
    """Display form with thousands separators: "1,234.56", "¥1,234.56", "-1,234.56", "-¥1,234.56"."""
    amount = quantize_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{'¥' if symbol else ''}{amount.copy_abs():,.2f}"


def allocate(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``: ``sum(parts) == total`` exactly, always.

    ``total`` must be a Decimal already on the fen (ValueError otherwise: round it first, or the parts could not
    add up to it). Weights are Decimals or ints, non-negative, with a positive sum. Every part but the last is its
    exact share rounded by ``quantize_money``; the last part is ``total`` minus the others, so it absorbs the whole
    residual. That residual can reach (n - 1) half-fen and, for tiny totals split many ways, flip the last part's
    sign: ``allocate(Decimal("0.02"), [1, 1, 1, 1]) == [0.01, 0.01, 0.01, -0.01]``.
    """
    if not isinstance(total, Decimal):
        raise TypeError("allocate takes a Decimal total")
    if quantize_money(total) != total:
        raise ValueError("the total must be a whole number of fen")
    parsed = [_weight(weight) for weight in weights]
    if not parsed:
        raise ValueError("at least one weight is needed")
    if any(weight < 0 for weight in parsed):
        raise ValueError("weights cannot be negative")
    with localcontext(_CONTEXT):
        weight_sum = sum(parsed, Decimal(0))
        if weight_sum <= 0:
            raise ValueError("weights must sum to more than zero")
        parts = [quantize_money(total * weight / weight_sum) for weight in parsed[:-1]]
        parts.append(quantize_money(total - sum(parts, ZERO)))
    return parts


def _weight(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError("weights are Decimals or ints")
    return _to_decimal(value)
