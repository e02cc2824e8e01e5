"""Re-encrypt every encrypted column under the active field key, in committed batches (resumable).

Invariants: a value is rewritten only if its key id is not the active one, so a rerun skips finished rows and a
crash loses at most one uncommitted batch; blind indexes are untouched (their key never rotates), so exact lookups
work before, during and after the rotation; plaintext exists only in memory for the batch being rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from loancrm.core.crypto import decrypt, encrypt, key_id_of, key_ring
from loancrm.core.fields import EncryptedTextField

BATCH = 500


def encrypted_columns() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def count_stale() -> dict[str, int]:
    """Per column, how many values are not under the active key."""
    active, stale = key_ring().active, {}
    for model, field in encrypted_columns():
        table, column = model._meta.db_table, field.column
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column} <> '' AND {column} NOT LIKE %s",  # noqa: S608
                [f"v1:{active}:%"],
            )
            stale[f"{table}.{column}"] = cursor.fetchone()[0]
    return stale


def rotate_column(
    model: type[models.Model],
    field: EncryptedTextField,
    *,
    after_pk: Any = None,
    on_batch: Callable[[Any, int], None] | None = None,
) -> int:
    """Rewrite stale values of one column from ``after_pk`` on; returns how many were rewritten."""
    ring = key_ring()
    table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
    prefix = f"v1:{ring.active}:"
    rewritten = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"{pk} > %s AND " if after_pk is not None else ""
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {where}{column} <> '' AND {column} NOT LIKE %s "  # noqa: S608
                f"ORDER BY {pk} LIMIT {BATCH}",
                [*([after_pk] if after_pk is not None else []), prefix + "%"],
            )
            rows = cursor.fetchall()
            if not rows:
                return rewritten
            updates = []
            for row_pk, token in rows:
                if key_id_of(token) != ring.active:
                    updates.append((encrypt(decrypt(token, field.aad, ring), field.aad, ring), row_pk))
            cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", updates)  # noqa: S608
        rewritten += len(updates)
        after_pk = rows[-1][0]
        if on_batch is not None:
            on_batch(after_pk, len(updates))
