"""The few dialect differences of the end-of-day statements (PostgreSQL and SQLite), in one place.

Money is read and summed in integer fen on both databases (SQLite keeps decimals as floating point), so every
figure the batch computes is exact and the same on both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

OPEN = "('active', 'overdue')"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def tune_batch_transaction() -> None:
    """PostgreSQL: for the rest of the transaction no JIT compilation and no parallel plans (on statements over one
    partition they cost more than they save), memory for sorts and hashes to stay off disk, and index probes
    priced as the cached reads they are (otherwise a join to the few overdue rows' payments scans every payment)."""
    if is_postgres():
        execute("SET LOCAL jit = off")
        execute("SET LOCAL max_parallel_workers_per_gather = 0")
        execute("SET LOCAL work_mem = '64MB'")
        execute("SET LOCAL random_page_cost = 1.1")


def date_param() -> str:
    """The placeholder of a date parameter (bind it with ``day``)."""
    return "%s::date" if is_postgres() else "%s"


def named_date(name: str) -> str:
    """The placeholder of the named date parameter ``name`` (bind it with ``day``)."""
    return f"%({name})s::date" if is_postgres() else f"%({name})s"


def day(value: dt.date) -> Any:
    return value if is_postgres() else value.isoformat()


def read_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def days(later: str, earlier: str) -> str:
    """Whole days from ``earlier`` to ``later`` (SQL expressions of dates)."""
    if is_postgres():
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def fen(column: str) -> str:
    """A money column as integer fen."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def scaled(column: str, places: int) -> str:
    """A decimal column × 10^places as an integer (rates: eight places)."""
    return f"CAST(ROUND({column} * {10**places}) AS BIGINT)"


def from_fen(expression: str) -> str:
    """Integer fen back to a money value to store."""
    if is_postgres():
        return f"ROUND(CAST({expression} AS NUMERIC) / 100, 2)"
    return f"ROUND(({expression}) / 100.0, 2)"


def plus_fen(column: str, fen_expression: str) -> str:
    """A money column raised by an integer number of fen (exact on both databases)."""
    if is_postgres():
        return f"{column} + ({fen_expression}) * 0.01"
    return from_fen(f"{fen(column)} + {fen_expression}")


def to_decimal(value: Any, places: int = 2) -> Decimal | None:
    return None if value is None else Decimal(int(value)).scaleb(-places)


def execute(sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params if isinstance(params, dict) else list(params))
        return cursor.rowcount


def rows(sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params if isinstance(params, dict) else list(params))
        return list(cursor.fetchall())


def scratch_table(name: str, columns: str) -> None:
    """An empty temporary work table of this connection (``name`` and ``columns`` are constants of the batch)."""
    execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
    execute(f"TRUNCATE {name}" if is_postgres() else f"DELETE FROM {name}")  # noqa: S608


def _array(values: Sequence[Any]) -> str:
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def update_by_id(table: str, columns: Sequence[tuple[str, str]], values: Sequence[Sequence[Any]]) -> None:
    """Set ``columns`` ((name, PostgreSQL type)) on the rows whose id is each value row's first item: one
    ``UPDATE … FROM unnest`` on PostgreSQL, ``executemany`` on SQLite (values are ints, Decimals, dates, simple
    strings or None)."""
    if not values:
        return
    names = [name for name, _kind in columns]
    with connection.cursor() as cursor:
        if is_postgres():
            arrays = ", ".join(f"%s::{kind}[]" for kind in ["bigint", *(kind for _name, kind in columns)])
            sets = ", ".join(f"{name} = v.{name}" for name in names)
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v(id, {', '.join(names)}) "  # noqa: S608
                "WHERE t.id = v.id",
                [_array(column) for column in zip(*values, strict=True)],
            )
            return
        sets = ", ".join(f"{name} = %s" for name in names)
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
            [[_sqlite(v) for v in row[1:]] + [row[0]] for row in values],
        )


def _sqlite(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
