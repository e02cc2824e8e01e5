"""Exact money sums in SQL on both databases: amounts are summed as integer fen (分).

SQLite keeps decimals as binary floating point, so a plain SUM over millions of lines can drift by a fen; each
amount is rounded to whole fen before summing (exact integer arithmetic on SQLite, exact numeric on PostgreSQL), and
``from_fen`` turns the sum back into a two-place Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Func, Sum, Value
from django.db.models.functions import Coalesce

FEN_SQL = "CAST(ROUND({} * 100) AS BIGINT)"


class Fen(Func):
    """An amount in integer fen (``12.34`` → ``1234``)."""

    template = FEN_SQL.format("%(expressions)s")
    output_field = BigIntegerField()


def fen_sum(field: str, **extra: Any) -> Coalesce:
    """``SUM`` of ``field`` in fen, 0 when there are no rows (``extra``: e.g. ``filter=Q(...)``)."""
    return Coalesce(Sum(Fen(field), **extra), Value(0), output_field=BigIntegerField())


def fen(column: str) -> str:
    """The SQL of ``column`` in fen, for hand-written statements."""
    return FEN_SQL.format(column)


def from_fen(value: Any) -> Decimal:
    """Integer fen (int or integral Decimal; None is 0) as a two-place Decimal amount."""
    return Decimal(int(value or 0)).scaleb(-2)


def to_fen(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())
