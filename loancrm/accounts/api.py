"""Accounts API: who am I, users (administrators), roles and org units. Same services as the pages."""

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts import selectors, services
from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.accounts.models import OrgUnit, RoleProfile, User
from loancrm.accounts.schemas import (
    DisableIn,
    MeOut,
    OrgUnitOut,
    RoleOut,
    UserCreateIn,
    UserFilters,
    UserOut,
    UserUpdateIn,
)
from loancrm.core.errors import ValidationFailed
from loancrm.core.pagination import PageNumberPagination

API_PREFIX = "/accounts"
router = Router(tags=["accounts"])


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _org_unit(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationFailed(fields={"org_unit": [_("Unknown organisation unit.")]})
    return unit


@router.get("/me", response=MeOut, summary="The authenticated user, roles, permissions and data scope")
def me(request: HttpRequest) -> Any:
    return request.user


@router.get(
    "/users", response=list[UserOut], summary="Users visible to the caller", auth=authorized("accounts.view_user")
)
@paginate(PageNumberPagination)
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    require_scope(request, "read")
    qs = selectors.filter_users(selectors.users_visible_to(request.user), **filters.dict())
    return qs.prefetch_related("groups__role").order_by("username")


@router.get("/users/{user_id}", response=UserOut, auth=authorized("accounts.view_user"))
def get_user(request: HttpRequest, user_id: int) -> Any:
    require_scope(request, "read")
    return selectors.access_user(request.user, user_id)


@router.post("/users", response={201: UserOut}, auth=authorized("accounts.manage_users"))
def create_user(request: HttpRequest, payload: UserCreateIn) -> Any:
    require_scope(request, "*")
    data = payload.dict()
    data["org_unit"] = _org_unit(data.pop("org_unit"))
    user = services.user_create(actor=_actor(request), request=request, **data)
    return 201, user


@router.put("/users/{user_id}", response=UserOut, auth=authorized("accounts.manage_users"))
def update_user(request: HttpRequest, user_id: int, payload: UserUpdateIn) -> Any:
    require_scope(request, "*")
    selectors.access_user(request.user, user_id)
    data = payload.dict()
    data["org_unit"] = _org_unit(data.pop("org_unit"))
    return services.user_update(actor=_actor(request), user_id=user_id, request=request, **data)


@router.post("/users/{user_id}/disable", response=UserOut, auth=authorized("accounts.manage_users"))
def disable_user(request: HttpRequest, user_id: int, payload: DisableIn) -> Any:
    require_scope(request, "*")
    selectors.access_user(request.user, user_id)
    return services.user_disable(actor=_actor(request), user_id=user_id, reason=payload.reason, request=request)


@router.get("/roles", response=list[RoleOut])
def list_roles(request: HttpRequest) -> Any:
    require_scope(request, "read")
    return RoleProfile.objects.order_by("order")


@router.get("/org-units", response=list[OrgUnitOut])
def list_org_units(request: HttpRequest) -> Any:
    require_scope(request, "read")
    return OrgUnit.objects.filter(is_active=True).order_by("path")
