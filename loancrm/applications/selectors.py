"""Reads of applications scoped to the viewer: "not found" and "not yours" are the same 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from loancrm.accounts.scope import scope_q
from loancrm.applications.choices import Channel
from loancrm.applications.models import Application, ApplicationStatusChange
from loancrm.applications.principal import is_customer, is_partner, partner_name
from loancrm.core.errors import NotFound


def applications_visible_to(viewer: Any) -> QuerySet[Application]:
    """A customer sees their own applications; a user those in their data scope (owner or customer's owner)."""
    base = Application.objects.select_related("customer", "product_version__product", "owner")
    if is_customer(viewer):
        return base.filter(customer_id=viewer.customer_id)
    if is_partner(viewer):
        return base.filter(channel=Channel.PARTNER, partner=partner_name(viewer))
    if not viewer.has_perm("applications.view_application"):
        return base.none()
    own = scope_q(viewer, owner="owner", org_unit="org_unit")
    if not own.children:  # data scope "all": Q() | Q(pk__in=[]) would be "nothing", so no filter at all
        return base
    return base.filter(own | _customer_scope(viewer))


def _customer_scope(viewer: Any) -> Q:
    scope = scope_q(viewer, owner="customer__owner", org_unit="customer__org_unit")
    return scope if scope.children else Q(pk__in=[])


def access_application(viewer: Any, pk: int | str) -> Application:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = applications_visible_to(viewer).filter(pk=key).first()
    if found is None:
        raise NotFound()
    return found


def status_history(application: Application) -> QuerySet[ApplicationStatusChange]:
    return application.status_changes.select_related("actor")


def filter_applications(
    qs: QuerySet[Application], *, q: str = "", status: str = "", product: str = "", channel: str = "",
    owner: str = "", created_from: Any = None, created_to: Any = None,
) -> QuerySet[Application]:  # fmt: skip
    """List filters: ``q`` matches the application number, the customer number or the customer's name."""
    if q:
        q = q.strip()
        qs = qs.filter(Q(number__iexact=q) | Q(customer__number__iexact=q) | Q(customer__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if product.isdigit():
        qs = qs.filter(product_version__product_id=int(product))
    if channel:
        qs = qs.filter(channel=channel)
    if owner.isdigit():
        qs = qs.filter(owner_id=int(owner))
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    return qs
