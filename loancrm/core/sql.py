"""Helpers for hand-written set-based SQL that runs on both databases."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from django.db import connection


def one_of(column: str, values: Collection[Any]) -> tuple[str, list[Any]]:
    """(SQL, params) for "``column`` is one of ``values``" with the values bound as ONE parameter: an array on
    PostgreSQL (``= ANY``), a JSON list on SQLite (``json_each``). Unlike ``IN (%s, %s, …)`` the statement text is
    the same for any number of values (no placeholder list for the driver to build and parse each time) and there is
    no host-parameter limit. ``values`` are strings or integers."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]  # noqa: S608
