"""API authentication: the browser session (with CSRF) or ``Authorization: Bearer <token>``.

A token authenticates as its user, restricted to the token's scopes; ``require_scope`` checks a scope
for token requests and is a no-op for session requests (the user's permissions decide).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer

from loancrm.accounts.tokens import token_digest
from loancrm.core.raw_rows import column_count, from_row, select_list

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _check_perm(user: Any, perm: str | None) -> Any:
    """Refuse with 403 (before the request body is even parsed) when the user lacks ``perm``."""
    if user is not None and perm and not user.has_perm(perm):
        raise AuthorizationError()
    return user


_PERMISSIONS_SQL = """
SELECT ct.app_label, p.codename FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
WHERE p.id IN (SELECT up.permission_id FROM accounts_user_user_permissions up WHERE up.user_id = %s)
   OR p.id IN (SELECT gp.permission_id FROM auth_group_permissions gp
               JOIN accounts_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"""


def load_permissions(user: Any) -> None:
    """Fill the model backend's per-request permission cache of ``user`` with one query instead of two.

    The set equals ``ModelBackend.get_all_permissions`` (direct and group permissions); it lives on this request's
    user object only, so a role change is seen by the next request.
    """
    if not user.is_active or user.is_superuser:
        return
    with connection.cursor() as cursor:
        cursor.execute(_PERMISSIONS_SQL, [user.pk, user.pk])
        user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}


@cache
def _token_sql() -> str:
    from loancrm.accounts.models import ApiToken, User

    return (
        f"SELECT {select_list(ApiToken, 't')}, {select_list(User, 'u')} FROM accounts_apitoken t "  # noqa: S608
        "JOIN accounts_user u ON u.id = t.user_id WHERE t.digest = %s"
    )


def _token_with_user(digest: str) -> Any:
    """The token with this digest and its user (one plain query: every token request starts here), or None."""
    from loancrm.accounts.models import ApiToken, User

    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    split = column_count(ApiToken)
    api_token = from_row(ApiToken, row[:split])
    api_token.user = from_row(User, row[split:])
    return api_token


class BearerToken(HttpBearer):
    def __init__(self, perm: str | None = None) -> None:
        super().__init__()
        self.perm = perm

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from loancrm.accounts.models import ApiToken

        api_token = _token_with_user(token_digest(token))
        if api_token is None or not api_token.is_usable or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        load_permissions(api_token.user)
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return _check_perm(api_token.user, self.perm)


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token (X-CSRFToken header)."""

    param_name = "sessionid"

    def __init__(self, perm: str | None = None) -> None:
        super().__init__(csrf=True)
        self.perm = perm

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return _check_perm(user, self.perm)
        return None


api_auth = [BearerToken(), SessionAuth()]


def authorized(perm: str) -> list[Any]:
    """Operation-level auth: signed in (session or token) *and* holding ``perm``, checked before validation."""
    return [BearerToken(perm), SessionAuth(perm)]


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse a token request whose token lacks ``scope`` (session requests pass)."""
    token = getattr(request, "api_token", None)
    if token is not None and scope not in token.scopes and "*" not in token.scopes:
        raise AuthorizationError()


def require_perm(request: HttpRequest, perm: str) -> None:
    """Refuse (403) a request whose user lacks the Django permission ``perm``."""
    if not request.user.has_perm(perm):
        raise AuthorizationError()
