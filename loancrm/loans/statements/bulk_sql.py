"""The few set-based statements the bank-file poster needs, for PostgreSQL and SQLite.

PostgreSQL: ids reserved from the table's sequence in one ``nextval`` call per table and chunk; rows inserted with
``COPY … FROM STDIN`` (psycopg ``cursor.copy``); rows updated with one ``UPDATE … FROM unnest(…)`` per table;
loans locked with one ``SELECT … ORDER BY id FOR UPDATE``. SQLite (one writer at a time: the chunk's transaction
holds the database's write lock from its start): ids taken after the table's highest, ``executemany`` inserts and
updates, values converted the way Django stores them (decimals and dates as text, UTC datetimes).

Invariants: nothing here decides anything — the poster computes every value; callers run inside the chunk's
transaction; table and column names come from the models, never from input.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model

FEN = Decimal("0.01")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _names(columns: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in columns)


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, ascending."""
    if count <= 0:
        return []
    name = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [name, count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
        row = cursor.fetchone()
        cursor.execute(f"SELECT MAX(id) FROM {table(model)}")  # noqa: S608
        highest = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
    return list(range(highest + 1, highest + 1 + count))


def _datetime(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


_TO_SQLITE: dict[type, Any] = {Decimal: str, dt.date: dt.date.isoformat, dt.datetime: _datetime}


def _sqlite_value(value: Any) -> Any:
    convert = _TO_SQLITE.get(type(value))
    return convert(value) if convert is not None else value


def insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (value tuples in ``columns`` order)."""
    with connection.cursor() as cursor:
        if is_postgres():
            with cursor.copy(f"COPY {table(model)} ({_names(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table(model)} ({_names(columns)}) VALUES ({marks})",  # noqa: S608
            [[_sqlite_value(value) for value in row] for row in rows],
        )


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def array_literal(values: Iterable[Any], kind: str = "") -> str:
    """A PostgreSQL array literal of ``values`` (ints, Decimals, dates, strings, None): one text parameter is much
    cheaper to send than a list adapted element by element. A ``numeric`` or ``bigint`` array's values are numbers or
    their text (``fen_str``), written as they are."""
    if kind in ("numeric", "bigint"):
        return "{" + ",".join("NULL" if value is None else str(value) for value in values) + "}"
    return "{" + ",".join(_element(value) for value in values) + "}"


def update(model: type[Model], columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``columns`` (name, PostgreSQL type) on the rows whose id is each row's first value."""
    if not rows:
        return
    names = [name for name, _type in columns]
    kinds = ["bigint", *(kind for _name, kind in columns)]
    with connection.cursor() as cursor:
        if is_postgres():
            arrays = ", ".join(f"%s::{kind}[]" for kind in kinds)
            sets = ", ".join(f"{connection.ops.quote_name(name)} = v.{name}" for name in names)
            cursor.execute(
                f"UPDATE {table(model)} AS t SET {sets} FROM unnest({arrays}) AS v(id, {', '.join(names)}) "  # noqa: S608
                "WHERE t.id = v.id",
                [array_literal(values, kind) for values, kind in zip(zip(*rows, strict=True), kinds, strict=True)],
            )
            return
        sets = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in names)
        cursor.executemany(
            f"UPDATE {table(model)} SET {sets} WHERE id = %s",  # noqa: S608
            [[_sqlite_value(value) for value in row[1:]] + [row[0]] for row in rows],
        )


def select(sql_pg: str, sql_sqlite: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of a query; a list parameter is an array on PostgreSQL (``= ANY(%s)``) and a JSON list on SQLite
    (``IN (SELECT value FROM json_each(%s))``), so one parameter carries any number of values."""
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(sql_pg, list(params))
        else:
            cursor.execute(
                sql_sqlite,
                [json.dumps([_sqlite_value(v) for v in p]) if isinstance(p, list) else p for p in params],
            )
        return list(cursor.fetchall())


def fen_column(expression: str) -> str:
    """A money column as whole fen (an integer): exact on PostgreSQL (the column has two places); on SQLite, which
    keeps decimals as binary floating point, rounded to the nearest fen (as ``ledger.sums``)."""
    return f"CAST({expression} * 100 AS bigint)" if is_postgres() else f"CAST(ROUND({expression} * 100) AS BIGINT)"


def day(value: Any) -> dt.date | None:
    if value is None or type(value) is dt.date:
        return value
    return dt.date.fromisoformat(str(value)[:10])
