"""Reads of review cases scoped to the viewer: "not found" and "not yours" are the same 404.

A reviewer sees the cases assigned to them and the unassigned cases of their own team's queue; a supervisor (team
scope) the cases of the teams in their unit; a director (branch scope) those of their branch; scope "all" every
case.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.choices import DataScope
from loancrm.accounts.scope import data_scope, scope_root_path
from loancrm.core.errors import NotFound
from loancrm.underwriting.models import ReviewCase

VIEW = "underwriting.view_reviewcase"


def case_scope(viewer: Any) -> Q | None:
    """The filter of the cases ``viewer`` may see (None: every case)."""
    scope = data_scope(viewer)
    if scope == DataScope.ALL:
        return None
    q = Q(assignee_id=viewer.pk)
    if viewer.org_unit_id:
        q |= Q(assignee__isnull=True, team__org_unit_id=viewer.org_unit_id)
    if scope in (DataScope.TEAM, DataScope.BRANCH) and (root := scope_root_path(viewer, scope)):
        q |= Q(team__org_unit__path__startswith=root)
    return q


def cases_visible_to(viewer: Any) -> QuerySet[ReviewCase]:
    base = ReviewCase.objects.select_related(
        "application__customer", "application__product_version__product", "team", "assignee"
    )
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active or not viewer.has_perm(VIEW):
        return base.none()
    q = case_scope(viewer)
    return base if q is None else base.filter(q)


def access_case(viewer: Any, pk: int | str) -> ReviewCase:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = cases_visible_to(viewer).filter(pk=key).first()
    if found is None:
        raise NotFound()
    return found


def filter_cases(
    qs: QuerySet[ReviewCase], *, q: str = "", status: str = "", team: str = "", assignee: str = "", risk: str = ""
) -> QuerySet[ReviewCase]:
    if q := q.strip():
        qs = qs.filter(
            Q(application__number__iexact=q) | Q(application__customer__number__iexact=q)
            | Q(application__customer__name__icontains=q)
        )  # fmt: skip
    if status == "open":
        from loancrm.underwriting.choices import OPEN_STATUSES

        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if team.isdigit():
        qs = qs.filter(team_id=int(team))
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee.isdigit():
        qs = qs.filter(assignee_id=int(assignee))
    if risk:
        qs = qs.filter(risk_level=risk)
    return qs


def application_link(application: Any, user: Any) -> tuple[Any, str] | None:
    """The application page's "credit review" tab: its latest review case, for users who work or supervise cases."""
    if not (user.has_perm("underwriting.work_reviewcase") or user.has_perm("underwriting.supervise_reviewcase")):
        return None
    case = application.review_cases.order_by("-pk").only("pk").first()
    if case is None:
        return None
    return _("Credit review"), reverse("underwriting:case", args=[case.pk])
