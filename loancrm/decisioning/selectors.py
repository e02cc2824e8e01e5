"""Reads of decisions scoped to the viewer: a decision is visible with its application (same 404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from loancrm.applications.models import Application
from loancrm.applications.selectors import access_application, applications_visible_to
from loancrm.decisioning.models import Decision

VIEW = "decisioning.view_decision"


def decisions_visible_to(viewer: Any) -> QuerySet[Decision]:
    base = Decision.objects.select_related("application__customer", "application__product_version__product")
    if not viewer.has_perm(VIEW):
        return base.none()
    return base.filter(application__in=applications_visible_to(viewer).values("pk"))


def access_application_decision(viewer: Any, pk: int | str) -> tuple[Application, Decision | None]:
    """The application (raises ``NotFound`` when not visible) and its decision, if it has one."""
    application = access_application(viewer, pk)
    decision = (
        Decision.objects.select_related("rule_set", "scorecard").filter(application=application).first()
    )
    return application, decision
