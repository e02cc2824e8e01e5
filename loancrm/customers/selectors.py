"""Reads of customers, scoped to the viewer (own / team / branch / all); "not yours" is "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from loancrm.accounts.scope import scope_q
from loancrm.core.fields import BlindIndexField, blind_lookup
from loancrm.customers.models import Customer, CustomerLead, CustomerMobile, EmergencyContact


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
