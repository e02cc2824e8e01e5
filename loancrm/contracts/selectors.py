"""Scoped reads of contracts: a user sees the contracts of the applications in their data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.scope import scope_q
from loancrm.applications.selectors import applications_visible_to
from loancrm.contracts.models import Contract
from loancrm.core.errors import NotFound


def contracts_visible_to(user: Any) -> QuerySet[Contract]:
    if not user.has_perm("contracts.view_contract"):
        return Contract.objects.none()
    base = Contract.objects.select_related("application__customer", "application__product_version__product", "template")
    if user.has_perm("applications.view_application"):
        return base.filter(application__in=applications_visible_to(user).values("pk"))
    return base.filter(scope_q(user, owner="application__owner", org_unit="application__org_unit"))


def access_contract(user: Any, pk: int | str) -> Contract:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = contracts_visible_to(user).filter(pk=key).first()
    if found is None:
        raise NotFound()
    return found


def application_link(application: Any, user: Any) -> tuple[Any, str] | None:
    """The application page's "contract" tab, for users who may see contracts."""
    contract = Contract.objects.filter(application_id=application.pk).only("pk").first()
    if contract is None or not user.has_perm("contracts.view_contract"):
        return None
    return _("Contract"), reverse("contracts:detail", args=[contract.pk])
