"""Reusable access assertions for pages, htmx fragments and API endpoints (use them for every endpoint).

``assert_scoped`` checks one URL for one record: users who may see it get a success, users of another branch or
team get the same 404 as for a missing record, users without the permission get 403 (or 404), and anonymous
visitors are sent to sign in (pages) or get 401 (API). ``ROLE_USERS`` makes one user per built-in role.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.test import Client

SUCCESS = range(200, 400)


def request(client: Client, method: str, url: str, data: Any = None, *, htmx: bool = False) -> Any:
    headers: dict[str, str] = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if url.startswith("/api/") and method.lower() not in ("get", "delete"):
        body = json.dumps(data or {})
        return getattr(client, method.lower())(url, body, content_type="application/json", **headers)
    return getattr(client, method.lower())(url, data or {}, **headers)


def status_for(user: Any, method: str, url: str, data: Any = None, *, htmx: bool = False) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    return int(request(client, method, url, data, htmx=htmx).status_code)


def assert_scoped(
    url: str,
    *,
    method: str = "get",
    data: Any = None,
    allowed: Iterable[Any] = (),
    other_scope: Iterable[Any] = (),
    no_permission: Iterable[Any] = (),
    htmx: bool = False,
) -> None:
    """Assert the access outcome of ``url`` for each group of users (see module docstring)."""
    for user in allowed:
        code = status_for(user, method, url, data, htmx=htmx)
        assert code in SUCCESS, f"{user} should reach {method.upper()} {url}, got {code}"
    for user in other_scope:
        code = status_for(user, method, url, data, htmx=htmx)
        assert code == 404, f"{user} is outside the scope of {url}: expected 404, got {code}"
    for user in no_permission:
        code = status_for(user, method, url, data, htmx=htmx)
        assert code in (403, 404), f"{user} lacks the permission for {url}: expected 403/404, got {code}"
    anonymous = status_for(None, method, url, data, htmx=htmx)
    if url.startswith("/api/"):
        assert anonymous == 401, f"anonymous {method.upper()} {url}: expected 401, got {anonymous}"
    else:
        assert anonymous in (302, 401, 403), f"anonymous {method.upper()} {url}: expected sign-in, got {anonymous}"


def users_by_role(unit: Any) -> dict[str, Any]:
    """One user per built-in role, all in ``unit`` (usernames ``r_<role>``)."""
    from loancrm.accounts.roles import ROLES
    from loancrm.accounts.tests.factories import make_user

    return {role.code: make_user(f"r_{role.code}", role=role.code, unit=unit) for role in ROLES}
