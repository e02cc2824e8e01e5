"""Shared pytest fixtures: an organisation tree and users with roles (factories, not fixture files)."""

from __future__ import annotations

from collections.abc import Callable
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
