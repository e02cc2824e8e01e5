"""Who may approve what: the approvers of a step, their reach, authority limits and delegations.

An approver's **reach** is their branch (or, for a company-level unit such as HQ, the whole company): approvers act
on the applications of their branch, whatever their data scope for browsing. Superusers reach everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from loancrm.accounts.choices import OrgUnitKind
from loancrm.accounts.models import OrgUnit, User
from loancrm.applications.models import Application
from loancrm.approvals import engine
from loancrm.approvals.models import AuthorityLimit, Delegation

EVERYWHERE = ""


def application_path(application: Application) -> str:
    unit = application.org_unit or getattr(application.customer, "org_unit", None)
    return unit.path if unit is not None else "\0"


def reach_root(user: Any, units: dict[int, OrgUnit] | None = None) -> str | None:
    """The path prefix of the applications ``user`` may approve: ``""`` everywhere, ``None`` nowhere."""
    if getattr(user, "is_superuser", False):
        return EVERYWHERE
    unit_id = getattr(user, "org_unit_id", None)
    if unit_id is None:
        return None
    lookup = units if units is not None else {u.pk: u for u in OrgUnit.objects.all()}
    unit = lookup.get(unit_id)
    while unit is not None:
        if unit.kind == OrgUnitKind.COMPANY:
            return EVERYWHERE
        if unit.kind == OrgUnitKind.BRANCH:
            return unit.path
        unit = lookup.get(unit.parent_id) if unit.parent_id else None
    return None


def reach_q(user: Any, prefix: str = "application__") -> Q:
    root = reach_root(user)
    if root is None:
        return Q(pk__in=[])
    if root == EVERYWHERE:
        return Q()
    return Q(**{f"{prefix}org_unit__path__startswith": root})


def step_keys(steps: Iterable[engine.Step]) -> tuple[set[str], set[str]]:
    roles: set[str] = set()
    users: set[str] = set()
    for step in steps:
        for approver in step.approvers:
            (users if approver.user else roles).add(approver.user or approver.role)
    return roles, users


class Directory:
    """The active users holding the roles (or names) of some steps, loaded once, with their roles and reach."""

    def __init__(self, steps: Iterable[engine.Step]):
        roles, names = step_keys(steps)
        units = {u.pk: u for u in OrgUnit.objects.all()}
        found = (
            User.objects.filter(is_active=True)
            .filter(Q(groups__role__code__in=roles) | Q(username__in=names))
            .distinct()
            .prefetch_related("groups__role")
        )
        self.users: dict[str, User] = {}
        self._people: list[tuple[engine.Person, str | None]] = []
        for user in found:
            person = engine.Person(user.username, frozenset(p.code for p in user.role_profiles()))
            self.users[user.username] = user
            self._people.append((person, reach_root(user, units)))

    def people_for(self, application: Application) -> list[engine.Person]:
        path = application_path(application)
        return [p for p, root in self._people if root is not None and (root == EVERYWHERE or path.startswith(root))]


def delegators_of(user: Any, on: dt.date | None = None) -> list[User]:
    """The users whose steps ``user`` may take over today (active delegations to ``user``)."""
    day = on or timezone.localdate()
    rows = Delegation.objects.filter(delegate=user, starts_on__lte=day, ends_on__gte=day, revoked_at__isnull=True)
    return [d.delegator for d in rows.select_related("delegator").order_by("pk") if d.delegator.is_active]


def delegates_of(usernames: Sequence[str], on: dt.date | None = None) -> list[User]:
    day = on or timezone.localdate()
    rows = Delegation.objects.filter(
        delegator__username__in=list(usernames), starts_on__lte=day, ends_on__gte=day, revoked_at__isnull=True
    )
    return [d.delegate for d in rows.select_related("delegate") if d.delegate.is_active]


def authority_of(user: Any) -> tuple[bool, Decimal | None]:
    """``(limited, max_amount)``: a user's own limit overrides their roles'; among roles the highest counts; a user
    with no limit configured for them or any of their roles is not limited by amount (``(False, None)``)."""
    own = list(AuthorityLimit.objects.filter(user=user))
    rows = own or list(
        AuthorityLimit.objects.filter(user__isnull=True, role__in=[p.code for p in user.role_profiles()])
    )
    if not rows:
        return False, None
    if any(r.max_amount is None for r in rows):
        return True, None
    return True, max(r.max_amount for r in rows if r.max_amount is not None)
