"""Model instances from rows read with a plain cursor, for hot paths where building the ORM query costs more than
running it.

Invariant: an instance made here equals what the ORM would load from the same row — every value goes through the
database's and the field's own converters (decryption of encrypted fields, SQLite's dates and booleans, JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@cache
def _columns(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    return tuple(model._meta.concrete_fields)


def select_list(model: type[models.Model], alias: str) -> str:
    """``alias.col1, alias.col2, …`` for every concrete field of ``model``, in the order ``from_row`` reads them."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(field.column)}" for field in _columns(model))


def column_count(model: type[models.Model]) -> int:
    return len(_columns(model))


@cache
def _converters(model: type[models.Model], vendor: str) -> tuple[tuple[Any, tuple[Callable[..., Any], ...]], ...]:
    """(column expression, converters) per concrete field, for the current database vendor."""
    converters = []
    for field in _columns(model):
        expression = field.get_col(model._meta.db_table)
        steps = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)  # type: ignore[attr-defined]
        converters.append((expression, tuple(steps)))
    return tuple(converters)


def from_row(model: type[M], values: Sequence[Any]) -> M:
    """The instance of ``model`` whose concrete fields hold ``values`` (as read by ``select_list``)."""
    fields = _columns(model)
    converted = []
    for value, (expression, steps) in zip(values, _converters(model, connection.vendor), strict=True):
        for step in steps:
            value = step(value, expression, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
