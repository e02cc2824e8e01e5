"""Scoped list query: a branch manager's page of users (scope filter + count + first page) vs raw SQL."""

from __future__ import annotations

from typing import Any

USERS_PER_TEAM = 2_000


def _populate() -> Any:
    from django.contrib.auth.hashers import make_password

    from loancrm.accounts.models import RoleProfile, User
    from loancrm.accounts.tests.factories import make_org_tree

    org = make_org_tree()
    password = make_password("bench-password-1")
    teams = [org.bj_team1, org.bj_team2, org.sh_team1]
    User.objects.bulk_create(
        [
            User(username=f"u{t}-{i}", full_name=f"用户{i}", org_unit=team, password=password)
            for t, team in enumerate(teams)
            for i in range(USERS_PER_TEAM)
        ],
        batch_size=2_000,
    )
    viewer = User.objects.create(username="bench-viewer", org_unit=org.bj, password=password)
    viewer.groups.add(RoleProfile.objects.get(code="collection_manager").group)
    return User.objects.get(pk=viewer.pk), org


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection

    from loancrm.accounts.models import User
    from loancrm.accounts.scope import scope_q

    viewer, org = _populate()

    def ours() -> None:
        qs = User.objects.filter(scope_q(viewer, owner="pk", org_unit="org_unit")).order_by("username")
        qs.count()
        list(qs.select_related("org_unit")[:20])

    sql_count = (
        "SELECT COUNT(*) FROM accounts_user u LEFT JOIN accounts_orgunit o ON o.id = u.org_unit_id "
        "WHERE u.id = %s OR o.path LIKE %s"
    )
    sql_page = (
        "SELECT u.*, o.* FROM accounts_user u LEFT JOIN accounts_orgunit o ON o.id = u.org_unit_id "
        "WHERE u.id = %s OR o.path LIKE %s ORDER BY u.username LIMIT 20"
    )

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql_count, [viewer.pk, f"{org.bj.path}%"])
            cursor.fetchone()
            cursor.execute(sql_page, [viewer.pk, f"{org.bj.path}%"])
            cursor.fetchall()

    for _ in range(3):
        ours()
        raw()
    report(
        "accounts: branch-scoped user page (6k users)",
        "per page",
        best_of(ours, 20),
        best_of(raw, 20),
    )
