"""Reads of customers, scoped to the viewer (own / team / branch / all); "not yours" is "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from loancrm.accounts.scope import scope_q
from loancrm.core.fields import BlindIndexField, blind_lookup
from loancrm.customers.choices import REOPEN_PERMISSION, Status, allowed_targets
from loancrm.customers.models import Customer, CustomerLead, CustomerMobile, CustomerStatusChange, EmergencyContact


def customers_visible_to(viewer: Any) -> QuerySet[Customer]:
    if not viewer.has_perm("customers.view_customer"):
        return Customer.objects.none()
    return Customer.objects.filter(scope_q(viewer, owner="owner", org_unit="org_unit")).select_related(
        "owner", "org_unit"
    )


def access_customer(viewer: Any, pk: int) -> Customer:
    """A customer the viewer may see; otherwise the same 404 as a missing one."""
    customer = customers_visible_to(viewer).filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def access_customer_part(model: type[Model], viewer: Any, pk: int) -> Any:
    """A row of a customer's child table (mobile, contact, …) whose customer the viewer may see; else 404."""
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise Http404
    access_customer(viewer, row.customer_id)  # type: ignore[attr-defined]
    return row


def filter_customers(
    qs: QuerySet[Customer], *, q: str = "", kind: str = "", owner: str = "", tag: str = ""
) -> QuerySet[Customer]:
    """List filters: ``q`` matches the number or name, or exactly a full mobile / ID number / credit code;
    ``tag`` keeps customers one of whose leads carries the tag."""
    if q:
        q = q.strip()
        match = Q(number__iexact=q) | Q(name__icontains=q) | Q(corporate__credit_code__iexact=q)
        if sum(ch.isalnum() for ch in q) >= 11:
            match |= blind_lookup(Customer, "id_number", q)
            match |= Q(
                pk__in=CustomerMobile.objects.filter(blind_lookup(CustomerMobile, "mobile", q)).values("customer")
            )
        qs = qs.filter(match)
    if kind:
        qs = qs.filter(kind=kind)
    if owner.isdigit():
        qs = qs.filter(owner_id=int(owner))
    if tag.isdigit():
        qs = qs.filter(pk__in=CustomerLead.objects.filter(lead__tags__tag_id=int(tag)).values("customer"))
    return qs


def customer_360(customer: Customer) -> dict[str, Any]:
    """Everything the 360 page and API show about one (already authorised) customer."""
    from loancrm.customers.models import CorporateProfile, CreditProfile, Liabilities

    def one(model: type[Model]) -> Any:
        return model._default_manager.filter(customer=customer).first()

    return {
        "customer": customer,
        "mobiles": list(customer.mobiles.all()),
        "contacts": list(EmergencyContact.objects.filter(customer=customer)),
        "properties": list(customer.properties.all()),
        "vehicles": list(customer.vehicles.all()),
        "financial_assets": list(customer.financial_assets.all()),
        "liabilities": one(Liabilities),
        "credit": one(CreditProfile),
        "corporate": one(CorporateProfile),
        "statements": list(customer.statements.all()),
        "related_parties": list(customer.related_parties.all()),
        "leads": [link.lead for link in customer.lead_links.select_related("lead__channel")],
    }


def status_changes(customer: Customer) -> QuerySet[CustomerStatusChange]:
    """The customer's status changes, newest first."""
    return customer.status_changes.select_related("actor")


def status_targets(viewer: Any, customer: Customer) -> list[tuple[str, Any]]:
    """(status, label) the viewer may move this (already authorised) customer to; empty without the permission."""
    if not viewer.has_perm("customers.change_customer"):
        return []
    if customer.status == Status.CLOSED and not viewer.has_perm(REOPEN_PERMISSION):
        return []
    return [(value, Status(value).label) for value in allowed_targets(customer.status)]


def customer_timeline(viewer: Any, customer: Customer, leads: list[Any], limit: int = 200) -> list[Any] | None:
    """The interactions of the customer's leads and the customer's own status changes, newest first; None for a
    viewer who may not see interactions. Status changes appear as unsaved "status" timeline entries."""
    from loancrm.sales.choices import InteractionKind
    from loancrm.sales.models import Interaction
    from loancrm.sales.selectors import customer_timeline as lead_timeline

    entries = lead_timeline(viewer, leads, limit)
    if entries is None:
        return None
    changes = [
        Interaction(
            kind=InteractionKind.STATUS,
            actor=change.actor,
            occurred_at=change.changed_at,
            body=change.reason,
            summary=_("Customer status: %(before)s → %(after)s")
            % {"before": change.get_from_status_display(), "after": change.get_to_status_display()},
            data={"event": "customer_status", "from": change.from_status, "to": change.to_status},
        )
        for change in status_changes(customer)[:limit]
    ]
    return sorted(entries + changes, key=lambda entry: entry.occurred_at, reverse=True)[:limit]


KNOWN_CUSTOMER_LEAD_SQL = (
    "SELECT cl.lead_id FROM customers_customer_lead cl WHERE cl.customer_id IN "
    "(SELECT m.customer_id FROM customers_mobile m WHERE m.mobile_bidx = %s UNION "
    "SELECT cu.id FROM customers_customer cu WHERE cu.id_number_bidx = %s AND cu.id_number_bidx <> '') "
    "ORDER BY cl.linked_at, cl.id LIMIT 1"
)
"""The first lead of the customer who already has a mobile (any of theirs) or ID number; parameters from
``known_customer_params``. Lead intake embeds it in its one context query, so a person who is already a customer
arrives as a duplicate on their lead instead of as a new lead (the leads' own unique indexes only know the mobiles
and ID numbers leads were created with). Every lookup is an index scan (a UNION, not an OR of two IN lists,
which PostgreSQL answers with a scan of every customer link)."""


def known_customer_params(*, mobile: str, id_number: str) -> list[str]:
    """The blind indexes ``KNOWN_CUSTOMER_LEAD_SQL`` takes (customers' own keys; blank ID number matches nothing)."""
    mobile_field = CustomerMobile._meta.get_field("mobile_bidx")
    id_field = Customer._meta.get_field("id_number_bidx")
    assert isinstance(mobile_field, BlindIndexField) and isinstance(id_field, BlindIndexField)
    return [mobile_field.digest(mobile), id_field.digest(id_number)]
