"""Factories for users and organisation units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import factory

from loancrm.accounts.choices import OrgUnitKind
from loancrm.accounts.models import OrgUnit, RoleProfile, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(PASSWORD)


def make_unit(code: str, kind: str, parent: OrgUnit | None = None, name: str | None = None) -> OrgUnit:
    unit = OrgUnit.objects.create(code=code, name=name or code, kind=kind, parent=parent)
    unit.path = f"{parent.path if parent else ''}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@dataclass
class OrgTree:
    hq: OrgUnit
    bj: OrgUnit
    bj_team1: OrgUnit
    bj_team2: OrgUnit
    sh: OrgUnit
    sh_team1: OrgUnit


def make_org_tree() -> OrgTree:
    hq = make_unit("T-HQ", OrgUnitKind.COMPANY, name="总部")
    bj = make_unit("T-BJ", OrgUnitKind.BRANCH, hq, "北京分公司")
    sh = make_unit("T-SH", OrgUnitKind.BRANCH, hq, "上海分公司")
    return OrgTree(
        hq=hq,
        bj=bj,
        bj_team1=make_unit("T-BJ-1", OrgUnitKind.TEAM, bj, "北京一组"),
        bj_team2=make_unit("T-BJ-2", OrgUnitKind.TEAM, bj, "北京二组"),
        sh=sh,
        sh_team1=make_unit("T-SH-1", OrgUnitKind.TEAM, sh, "上海一组"),
    )


def make_user(username: str, *, role: str | None = None, unit: OrgUnit | None = None, **extra: Any) -> User:
    """A user with one built-in role (or none) in ``unit``; password is ``PASSWORD``."""
    user = cast(User, UserFactory(username=username, org_unit=unit, **extra))
    if role:
        user.groups.add(RoleProfile.objects.get(code=role).group)
    return User.objects.get(pk=user.pk)
