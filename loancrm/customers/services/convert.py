"""Creating customers: from a lead (with de-duplication) and corporate borrowers directly.

Invariants of ``lead_convert``: only a user who can see the lead converts it; the lead is row-locked, so
converting it twice (even at once) links it once and returns the same customer; a lead whose mobile or ID number
already belongs to a customer links to that customer instead of creating one; the unique blind indexes decide
inside the database, so concurrent conversions of one person create one customer; the lead keeps its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.china_ids import InvalidCreditCode, validate_credit_code
from loancrm.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.fields import blind_lookup
from loancrm.customers.choices import Kind
from loancrm.customers.models import CorporateProfile, Customer, CustomerLead, CustomerMobile
from loancrm.customers.services.common import (
    Errors,
    apply_id_number,
    check_money,
    clean_id_number,
    individual_create,
    raise_if,
)
from loancrm.leads.choices import Validity
from loancrm.leads.models import Lead
from loancrm.leads.selectors import access_lead
from loancrm.sales.choices import InteractionKind
from loancrm.sales.hooks import log_interaction

CREDIT_CODE_MESSAGES = {
    "credit_code_length": _("A unified social credit code has 18 characters."),
    "credit_code_chars": _("The credit code contains characters that are not allowed."),
    "credit_code_check": _("The credit code's check character is wrong."),
}


@dataclass(frozen=True)
class ConvertResult:
    customer: Customer
    created: bool
    already_linked: bool = False


def _assign_number(customer: Customer) -> None:
    customer.number = f"C{customer.pk:08d}"
    Customer.objects.filter(pk=customer.pk).update(number=customer.number)


def _match(mobile: str, id_number: str) -> Customer | None:
    """The customer with this person's ID number, else primary mobile, else one of its other mobiles."""
    if id_number:
        found = Customer.objects.filter(blind_lookup(Customer, "id_number", id_number)).first()
        if found is not None:
            return found
    mobiles = CustomerMobile.objects.filter(blind_lookup(CustomerMobile, "mobile", mobile)).order_by(
        "-is_primary", "pk"
    )
    first = mobiles.values_list("customer_id", flat=True).first()
    return Customer.objects.filter(pk=first).first() if first is not None else None


def _create_individual(lead: Lead, id_number: str, actor: Any) -> Customer:
    owner = lead.owner or (actor if getattr(actor, "pk", None) else None)
    return individual_create(
        name=lead.name or str(lead),
        id_number=id_number,
        mobile=lead.mobile,
        owner=owner,
        org_unit=lead.org_unit or getattr(owner, "org_unit", None),
    )


def _link_identifiers(customer: Customer, lead: Lead, id_number: str) -> None:
    """Add the lead's mobile and ID number to a matched customer when they are new to it (never steal them)."""
    if not customer.mobiles.filter(blind_lookup(CustomerMobile, "mobile", lead.mobile)).exists():
        CustomerMobile.objects.create(customer=customer, mobile=lead.mobile, is_primary=False, note=str(lead))
    if id_number and not customer.id_number:
        try:
            with transaction.atomic():
                apply_id_number(customer, id_number)
                customer.save(update_fields=["id_number", "id_number_bidx", "gender", "birth_date"])
        except IntegrityError:
            customer.refresh_from_db()


@transaction.atomic
def lead_convert(*, actor: Any, lead_id: int, id_number: str = "", request: HttpRequest | None = None) -> ConvertResult:
    """Convert a lead into a customer or link it to the existing one (see module invariants).

    ``id_number`` is used only when the lead has none (collected by the agent at conversion).
    """
    if not actor.has_perm("customers.add_customer"):
        raise PermissionDenied()
    try:
        visible = access_lead(actor, lead_id)
    except Http404 as exc:
        raise NotFound() from exc
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=visible.pk)
    link = CustomerLead.objects.filter(lead=lead).select_related("customer").first()
    if link is not None:
        return ConvertResult(link.customer, created=False, already_linked=True)
    if lead.validity == Validity.INVALID:
        raise InvalidTransition(_("An invalid lead cannot become a customer."))
    errors: Errors = {}
    id_number = lead.id_number or clean_id_number(id_number, "id_number", errors)
    raise_if(errors)
    customer, created = _match(lead.mobile, id_number), False
    if customer is None:
        try:
            with transaction.atomic():
                customer, created = _create_individual(lead, id_number, actor), True
        except IntegrityError:
            customer = _match(lead.mobile, id_number)
            if customer is None:
                raise Conflict() from None
    if created:
        audit_event(actor, "customer.created", customer, {"source": "lead", "lead": str(lead)}, request)
    else:
        _link_identifiers(customer, lead, id_number)
    CustomerLead.objects.create(customer=customer, lead=lead, created_customer=created, linked_by=_user(actor))
    audit_event(actor, "lead.converted", lead, {"customer": customer.number, "created": created}, request)
    summary = _("Converted to new customer %(number)s") if created else _("Linked to customer %(number)s")
    log_interaction(lead, InteractionKind.APP_EVENT, summary % {"number": customer.number}, actor=actor,
                    data={"event": "converted", "customer": customer.pk})  # fmt: skip
    return ConvertResult(customer, created=created)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def clean_credit_code(raw: str, errors: Errors) -> str:
    try:
        return validate_credit_code(raw or "")
    except InvalidCreditCode as exc:
        errors.setdefault("credit_code", []).append(CREDIT_CODE_MESSAGES[exc.code])
        return ""


@transaction.atomic
def corporate_customer_create(
    *,
    actor: Any,
    name: str,
    credit_code: str,
    registered_capital: Decimal | None = None,
    industry: str = "",
    business_scope: str = "",
    established_on: Any = None,
    legal_rep_name: str = "",
    legal_rep_id_number: str = "",
    registered_address: str = "",
    request: HttpRequest | None = None,
) -> Customer:
    """Create a corporate customer owned by ``actor``; one customer per unified social credit code."""
    if not actor.has_perm("customers.add_customer"):
        raise PermissionDenied()
    errors: Errors = {}
    if not name.strip():
        errors["name"] = [_("This field is required.")]
    code = clean_credit_code(credit_code, errors)
    rep_id = clean_id_number(legal_rep_id_number, "legal_rep_id_number", errors)
    check_money(registered_capital, "registered_capital", errors)
    raise_if(errors)
    owner = _user(actor)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                kind=Kind.CORPORATE, name=name.strip(), owner=owner, org_unit=getattr(owner, "org_unit", None)
            )
            CorporateProfile.objects.create(
                customer=customer, credit_code=code, registered_capital=registered_capital, industry=industry.strip(),
                business_scope=business_scope.strip(), established_on=established_on,
                legal_rep_name=legal_rep_name.strip(), legal_rep_id_number=rep_id,
                registered_address=registered_address.strip(),
            )  # fmt: skip
    except IntegrityError as exc:
        raise ValidationFailed(fields={"credit_code": [_("Another customer has this credit code.")]}) from exc
    _assign_number(customer)
    audit_event(actor, "customer.created", customer, {"kind": Kind.CORPORATE, "credit_code": code}, request)
    return customer
