"""Reads of disbursement scoped to the viewer (an application's disbursement is visible with the application)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.selectors import applications_visible_to
from loancrm.core.errors import NotFound
from loancrm.disbursements.models import DisbursementOrder

VIEW = "disbursements.view_disbursementorder"
QUEUE_STATUSES = (Status.SIGNED,)


def queue_visible_to(viewer: Any) -> QuerySet[Application]:
    """Signed applications awaiting disbursement in the viewer's scope."""
    if not viewer.has_perm(VIEW):
        return Application.objects.none()
    return applications_visible_to(viewer).filter(status__in=QUEUE_STATUSES)


def access_application(viewer: Any, pk: int | str) -> Application:
    """The application (``NotFound`` when missing or out of the viewer's scope)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not viewer.has_perm(VIEW):
        raise NotFound()
    application = applications_visible_to(viewer).filter(pk=key).first()
    if application is None:
        raise NotFound()
    return application


def orders_of(application: Application) -> QuerySet[DisbursementOrder]:
    return (
        DisbursementOrder.objects.filter(application=application)
        .select_related("account", "loan", "requested_by")
        .prefetch_related("attempt_rows")
        .order_by("-created_at", "-id")
    )


def latest_order(application: Application) -> DisbursementOrder | None:
    return orders_of(application).first()


def application_link(application: Any, user: Any) -> tuple[Any, str] | None:
    """The application page's "disbursement" tab once the contract is signed, for users who see disbursements."""
    if application.status not in ("signed", "disbursed") or not user.has_perm(VIEW):
        return None
    return _("Disbursement"), reverse("disbursements:application", args=[application.pk])
