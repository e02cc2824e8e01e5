"""Reads of the accounts app, scoped to the viewer."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from loancrm.accounts.models import ApiToken, OrgUnit, RoleProfile, User
from loancrm.accounts.scope import scope_q


def users_visible_to(viewer: Any) -> QuerySet[User]:
    """Users the viewer may see: needs accounts.view_user; then filtered by the viewer's data scope."""
    if not viewer.has_perm("accounts.view_user"):
        return User.objects.none()
    return User.objects.filter(scope_q(viewer, owner="pk", org_unit="org_unit")).select_related("org_unit")


def access_user(viewer: Any, pk: int) -> User:
    """Fetch a user the viewer may see; anything else is the same 404."""
    user = users_visible_to(viewer).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def filter_users(
    qs: QuerySet[User], *, q: str = "", role: str = "", org_unit: OrgUnit | None = None, status: str = ""
) -> QuerySet[User]:
    """Apply the list filters of the users page and API."""
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(employee_no__icontains=q))
    if role:
        qs = qs.filter(groups__role__code=role)
    if org_unit is not None:
        qs = qs.filter(org_unit__path__startswith=org_unit.path)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "disabled":
        qs = qs.filter(is_active=False)
    return qs.distinct()


def roles_with_counts() -> QuerySet[RoleProfile]:
    return (
        RoleProfile.objects.select_related("group")
        .annotate(members=Count("group__user"))
        .prefetch_related("group__permissions__content_type")
    )


def org_tree() -> list[OrgUnit]:
    return list(OrgUnit.objects.select_related("region", "parent").annotate(members=Count("users")).order_by("path"))


def tokens_visible_to(viewer: Any) -> QuerySet[ApiToken]:
    if not viewer.has_perm("accounts.manage_tokens"):
        return ApiToken.objects.none()
    return ApiToken.objects.select_related("user", "created_by")
