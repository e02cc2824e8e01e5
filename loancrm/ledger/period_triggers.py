"""A database trigger that refuses a journal entry dated in a closed period, whoever inserts it.

``posting.journal_post`` refuses such an entry first with a clear error; the trigger is the backstop for every other
writer (set-based posters inserting journal rows themselves) and for a posting racing a close on PostgreSQL (the
insert waits for the close's SHARE lock, then the trigger reads the committed period). "Closed" means the books are
closed through the latest closed month: the entry's month or a later one is closed. The refusal's message carries
``MARKER`` so the posting code can turn it into ``PeriodClosed``.
"""

from __future__ import annotations

from typing import Any

MARKER = "ledger period closed"
NAME = "ledger_journalentry_open_period"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION ledger_refuse_closed_period() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_accountingperiod
               WHERE status = 'closed' AND start >= date_trunc('month', NEW.entry_date)::date) THEN
        RAISE EXCEPTION '{MARKER}: entry dated %', NEW.entry_date USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""  # noqa: S608 (constants)


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES)
            cursor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON ledger_journalentry")
            cursor.execute(
                f"CREATE TRIGGER {NAME} BEFORE INSERT ON ledger_journalentry "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_closed_period()"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {NAME}")
            cursor.execute(
                f"CREATE TRIGGER {NAME} BEFORE INSERT ON ledger_journalentry WHEN EXISTS (SELECT 1 FROM "  # noqa: S608
                "ledger_accountingperiod WHERE status = 'closed' AND start >= date(NEW.entry_date, 'start of month')) "
                f"BEGIN SELECT RAISE(ABORT, '{MARKER}'); END"
            )
        else:
            raise NotImplementedError(f"no period trigger for {connection.vendor}")


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON ledger_journalentry")
            cursor.execute("DROP FUNCTION IF EXISTS ledger_refuse_closed_period()")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {NAME}")
