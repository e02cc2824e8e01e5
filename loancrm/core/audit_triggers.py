"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on append-only tables (the audit log, the journal).

They step aside only while a table named ``core_audit_unlock`` exists: the documented maintenance switch for
archiving old audit rows (create it, archive, drop it — an audited, four-eyes procedure) and what the test suite
uses so that flushing its scratch database works. Anyone able to create that table could also drop the triggers;
the hash chain and signed checkpoints are what detect such tampering.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PROTECTED = ("core_auditevent", "core_auditcheckpoint")
UNLOCK_TABLE = "core_audit_unlock"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION core_audit_refuse() RETURNS trigger AS $$
BEGIN
    IF to_regclass('{UNLOCK_TABLE}') IS NULL THEN
        RAISE EXCEPTION 'rows are append-only: % refused on %', TG_OP, TG_TABLE_NAME;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def install(connection: Any, tables: Sequence[str] = PROTECTED) -> None:
    """Create the triggers on ``tables`` for this connection's database (idempotent)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION core_audit_refuse()"
                )
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_refuse()"
                )
        elif connection.vendor == "sqlite":
            unlocked = f"NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{UNLOCK_TABLE}')"  # noqa: S608 (constant)
            for table in tables:
                for operation in ("UPDATE", "DELETE"):
                    name = f"{table}_no_{operation.lower()}"
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} BEFORE {operation} ON {table} WHEN {unlocked} "
                        f"BEGIN SELECT RAISE(ABORT, 'rows are append-only: {operation} refused on {table}'); END"
                    )
        else:
            raise NotImplementedError(f"no audit triggers for {connection.vendor}")


def uninstall(connection: Any, tables: Sequence[str] = PROTECTED) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
