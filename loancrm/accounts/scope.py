"""Data scope: which rows of a table a user may see.

``data_scope(user)`` is the widest scope among the user's roles (superusers: all). ``scope_q`` turns it
into a filter over an owner field and an org-unit field; selectors apply it so that "not yours" and
"not found" are indistinguishable.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from loancrm.accounts.choices import SCOPE_RANK, DataScope, OrgUnitKind


def data_scope(user: Any) -> DataScope:
    """The widest scope of the user's roles; OWN for a user with no role."""
    if not getattr(user, "is_authenticated", False):
        return DataScope.OWN
    if user.is_superuser:
        return DataScope.ALL
    scopes = [DataScope(p.data_scope) for p in user.role_profiles()]
    return max(scopes, key=lambda s: SCOPE_RANK[s], default=DataScope.OWN)


def scope_root_path(user: Any, scope: DataScope) -> str | None:
    """The org-unit path prefix visible under ``scope`` (None: no unit, so only own rows)."""
    unit = user.org_unit
    if unit is None:
        return None
    if scope == DataScope.BRANCH:
        branch = unit.branch()
        return (branch or unit).path
    if scope == DataScope.TEAM and unit.kind == OrgUnitKind.COMPANY:
        return None
    return str(unit.path)


def scope_q(user: Any, *, owner: str | None = "owner", org_unit: str | None = "org_unit") -> Q:
    """A filter for the rows ``user`` may see. ``owner``/``org_unit`` name the fields on the model."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = data_scope(user)
    if scope == DataScope.ALL:
        return Q()
    own = Q(**{owner: user.pk}) if owner else Q(pk__in=[])
    if scope == DataScope.OWN or org_unit is None:
        return own
    root = scope_root_path(user, scope)
    if root is None:
        return own
    return own | Q(**{f"{org_unit}__path__startswith": root})
