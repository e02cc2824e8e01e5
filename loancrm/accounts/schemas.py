"""API schemas of the accounts app."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


class RoleOut(Schema):
    code: str
    name: str = Field(..., alias="label")
    data_scope: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    mobile: str = Field("", description="masked")
    kind: str
    is_active: bool
    org_unit: OrgUnitOut | None
    roles: list[str]
    last_login: dt.datetime | None

    @staticmethod
    def resolve_mobile(obj: object) -> str:
        from loancrm.core.masking import mask_mobile

        return mask_mobile(getattr(obj, "mobile", ""))

    @staticmethod
    def resolve_roles(obj: object) -> list[str]:
        return [p.code for p in obj.role_profiles()]  # type: ignore[attr-defined]


class MeOut(UserOut):
    permissions: list[str]
    data_scope: str

    @staticmethod
    def resolve_permissions(obj: object) -> list[str]:
        return sorted(obj.get_all_permissions())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_data_scope(obj: object) -> str:
        from loancrm.accounts.scope import data_scope

        return str(data_scope(obj))


class UserCreateIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    full_name: str = Field(..., min_length=1, max_length=60)
    password: str = Field(..., min_length=1, max_length=128)
    roles: list[str] = []
    org_unit: str | None = Field(None, description="org unit code")
    email: str = ""
    employee_no: str = Field("", max_length=30)
    mobile: str = Field("", max_length=20)
    kind: str = "staff"


class UserUpdateIn(Schema):
    full_name: str = Field(..., min_length=1, max_length=60)
    roles: list[str] = []
    org_unit: str | None = None
    email: str = ""
    employee_no: str = Field("", max_length=30)
    mobile: str = Field("", max_length=20)


class DisableIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class UserFilters(Schema):
    q: str = ""
    role: str = ""
    status: str = Field("", pattern="^(|active|disabled)$")
