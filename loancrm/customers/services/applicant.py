"""Individual applicants who arrive without an agent: self-service (H5) sign-up and channel-partner applications.

Invariants: one customer per ID number (the unique blind index decides inside the database, so two concurrent
sign-ups of one person create one customer); an ID number already on file is never re-assigned or re-named: a
different name is refused, and for self-service a different primary mobile is refused as well (the customer signs
in with the mobile on file); a known customer gets the new mobile as an extra, non-primary number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, ValidationFailed
from loancrm.core.fields import blind_lookup
from loancrm.customers.models import Customer, CustomerMobile
from loancrm.customers.services.common import Errors, clean_id_number, clean_mobile, individual_create, raise_if


@dataclass(frozen=True)
class ApplicantResult:
    customer: Customer
    created: bool


def _by_id_number(id_number: str) -> Customer | None:
    return Customer.objects.filter(blind_lookup(Customer, "id_number", id_number)).first()


def _primary_holder(mobile: str) -> int | None:
    rows = CustomerMobile.objects.filter(blind_lookup(CustomerMobile, "mobile", mobile), is_primary=True)
    return rows.values_list("customer_id", flat=True).first()


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def _create(name: str, id_number: str, mobile: str, owner: Any) -> Customer:
    return individual_create(
        name=name,
        id_number=id_number,
        mobile=mobile,
        owner=owner,
        org_unit=getattr(owner, "org_unit", None),
        mobile_is_primary=_primary_holder(mobile) is None,
    )


def _add_mobile(customer: Customer, mobile: str) -> None:
    if not customer.mobiles.filter(blind_lookup(CustomerMobile, "mobile", mobile)).exists():
        CustomerMobile.objects.create(customer=customer, mobile=mobile, is_primary=False, note="applicant")


@transaction.atomic
def applicant_find_or_create(
    *,
    name: str,
    id_number: str,
    mobile: str,
    source: str,
    actor: Any = None,
    self_service: bool = False,
    request: HttpRequest | None = None,
) -> ApplicantResult:
    """The individual customer with ``id_number`` (checked: same name; self-service: same primary mobile), or a
    new one with this name, ID number and mobile. ``source`` (``h5``, ``partner:<name>``) goes to the audit log."""
    errors: Errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 120:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 120}]
    if not (id_number or "").strip():
        errors["id_number"] = [_("This field is required.")]
    id_number = clean_id_number(id_number, "id_number", errors)
    mobile = clean_mobile(mobile, "mobile", errors)
    raise_if(errors)
    found = _by_id_number(id_number)
    created = False
    if found is None:
        owner = (
            actor if getattr(actor, "is_authenticated", False) and getattr(actor, "kind", "staff") == "staff" else None
        )
        try:
            with transaction.atomic():
                found, created = _create(name, id_number, mobile, owner), True
        except IntegrityError:
            found = _by_id_number(id_number)
            if found is None:
                raise Conflict() from None
    if not created:
        _check_known(found, name, mobile, self_service=self_service)
        _add_mobile(found, mobile)
        return ApplicantResult(found, created=False)
    audit_event(actor if actor is not None else source, "customer.created", found, {"source": source}, request)
    return ApplicantResult(found, created=True)


def _check_known(customer: Customer, name: str, mobile: str, *, self_service: bool) -> None:
    if not _same_name(customer.name, name):
        raise ValidationFailed(fields={"name": [_("The name does not match the ID number on file.")]})
    if self_service and _primary_holder(mobile) != customer.pk:
        raise Conflict(
            _("This ID number is registered with another mobile number. Please sign in with that number, or call us.")
        )
