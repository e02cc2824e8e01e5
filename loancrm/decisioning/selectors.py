"""Reads of decisions scoped to the viewer: a decision is visible with its application (same 404 otherwise).

The scope is that of applications (the application's owner or organisation unit, or its customer's), applied here
directly: ``applications.selectors.applications_visible_to`` combines an empty ``Q()`` (scope "all") with an
always-false customer filter, which Django reduces to the false filter, so a company-wide viewer would see nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from loancrm.accounts.scope import scope_q
from loancrm.applications.models import Application
from loancrm.core.errors import NotFound
from loancrm.decisioning.models import Decision

VIEW = "decisioning.view_decision"


def _application_scope(viewer: Any, prefix: str = "") -> Q:
    own = scope_q(viewer, owner=f"{prefix}owner", org_unit=f"{prefix}org_unit")
    if not own.children:  # every row (scope "all"), or nothing for an inactive viewer (pk__in=[] has children)
        return own
    return own | scope_q(viewer, owner=f"{prefix}customer__owner", org_unit=f"{prefix}customer__org_unit")


def decisions_visible_to(viewer: Any) -> QuerySet[Decision]:
    base = Decision.objects.select_related("application__customer", "application__product_version__product")
    if not (viewer.has_perm(VIEW) and viewer.has_perm("applications.view_application")):
        return base.none()
    return base.filter(_application_scope(viewer, "application__"))


def access_application_decision(viewer: Any, pk: int | str) -> tuple[Application, Decision | None]:
    """The application (``NotFound`` when missing or out of the viewer's scope) and its decision, if any."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not viewer.has_perm("applications.view_application"):
        raise NotFound()
    rows = Application.objects.select_related("customer", "product_version__product")
    application = rows.filter(_application_scope(viewer), pk=key).first()
    if application is None:
        raise NotFound()
    decision = Decision.objects.select_related("rule_set", "scorecard").filter(application=application).first()
    return application, decision
