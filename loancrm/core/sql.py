"""Helpers for hand-written set-based SQL that runs on both databases."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from django.db import connection


def pg_array(values: Collection[str | int]) -> Any:
    """A PostgreSQL array parameter holding ``values`` (strings or integers).

    When every value is an integer or a non-empty alphanumeric string other than NULL, which an array literal holds
    unquoted, this is the literal itself ("{a,b,c}", one string for the driver to quote); otherwise the list, which
    psycopg quotes element by element (several microseconds each with client-side binding)."""
    if all(type(v) is int or (type(v) is str and v.isalnum() and v.upper() != "NULL") for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    return list(values)


def one_of(column: str, values: Collection[str | int]) -> tuple[str, list[Any]]:
    """(SQL, params) for "``column`` is one of ``values``" with the values bound as ONE parameter: an array on
    PostgreSQL (``= ANY``), a JSON list on SQLite (``json_each``). Unlike ``IN (%s, %s, …)`` the statement text is
    the same for any number of values (no placeholder list for the driver to build and parse each time) and there is
    no host-parameter limit."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [pg_array(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]  # noqa: S608
