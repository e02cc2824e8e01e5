"""Exact money sums in SQL on both databases.

PostgreSQL's numeric is exact, so there amounts are summed as they are. SQLite keeps decimals as binary floating
point, so a plain SUM over millions of lines can drift by a fen: there each amount is rounded to integer fen (分)
before summing. ``exact`` / ``exact_sum`` give the SQL and the ORM expression, ``to_amount`` reads a result back as a
two-place Decimal; results are only ever compared with results of the same kind.

``Fen`` / ``fen_sum`` sum in integer fen on both databases: for small sums compared with a parameter (an entry's
total against an amount filter), where one unit everywhere keeps the comparison simple.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, DecimalField, Func, Sum, Value
from django.db.models.functions import Coalesce

FEN_SQL = "CAST(ROUND({} * 100) AS BIGINT)"
CENT = Decimal("0.01")


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def exact(column: str) -> str:
    """The SQL of ``column`` as an exactly summable amount (see module docstring)."""
    return FEN_SQL.format(column) if _sqlite() else column


def to_amount(value: Any) -> Decimal:
    """A sum of ``exact`` amounts (None: no rows) as a two-place Decimal."""
    if value is None:
        return Decimal("0.00")
    return from_fen(value) if _sqlite() else Decimal(value).quantize(CENT)


class Exact(Func):
    template = "%(expressions)s"
    output_field = DecimalField(max_digits=24, decimal_places=2)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template=FEN_SQL.format("%(expressions)s"), **extra)


def exact_sum(field: str, **extra: Any) -> Coalesce:
    """``SUM`` of ``field`` as an exact amount, 0 without rows (read it with ``to_amount``)."""
    money: DecimalField[Any, Any] = DecimalField(max_digits=24, decimal_places=2)
    return Coalesce(Sum(Exact(field), **extra), Value(0), output_field=money)


class Fen(Func):
    """An amount in integer fen (``12.34`` → ``1234``)."""

    template = FEN_SQL.format("%(expressions)s")
    output_field = BigIntegerField()


def fen_sum(field: str, **extra: Any) -> Coalesce:
    """``SUM`` of ``field`` in fen, 0 when there are no rows (``extra``: e.g. ``filter=Q(...)``)."""
    return Coalesce(Sum(Fen(field), **extra), Value(0), output_field=BigIntegerField())


def from_fen(value: Any) -> Decimal:
    """Integer fen (int or integral Decimal; None is 0) as a two-place Decimal amount."""
    return Decimal(int(value or 0)).scaleb(-2)


def to_fen(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())
