"""Shared pytest fixtures: an organisation tree and users with roles (factories, not fixture files)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from loancrm.accounts.tests.factories import OrgTree, make_org_tree, make_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Unlock the audit triggers in the scratch test database so flushes between tests work.

    Tests of the triggers themselves drop the unlock table inside their own transaction.
    """
    from django.db import connection

    from loancrm.core.audit_triggers import UNLOCK_TABLE

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {UNLOCK_TABLE} (id integer)")


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete() -> Iterator[None]:
    """PostgreSQL: empty the tables after a transactional test with DELETE instead of TRUNCATE.

    Django's flush TRUNCATEs every table (about a hundred, each with its indexes): PostgreSQL creates new files for
    all of them, ~3 s per flush on the CI machine, after every ``transaction=True`` and browser test. The tables of
    a test are nearly empty, so DELETE takes milliseconds; Django's foreign keys are DEFERRABLE INITIALLY DEFERRED
    and the flush runs in one transaction, so the order of the statements does not matter. The result is the same
    (empty tables, sequences not reset); the append-only triggers step aside for DELETE as for TRUNCATE while the
    unlock table (``django_db_setup`` above) exists. Flushes that reset sequences or cascade keep Django's SQL.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(
        self: Any, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Throttles live in the cache; every test starts with none (nor cached ledger account ids)."""
    from loancrm.ledger.posting import clear_account_cache

    cache.clear()
    clear_account_cache()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language (a request in English leaves English active in its thread)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def org(db: Any) -> OrgTree:
    return make_org_tree()


@pytest.fixture
def user_factory(db: Any) -> Callable[..., Any]:
    return make_user


@pytest.fixture
def admin_user(org: OrgTree) -> Any:
    return make_user("admin1", role="administrator", unit=org.hq)
