"""Helpers shared by the customer services: the scoped row lock, field validation and masked snapshots."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.scope import scope_q
from loancrm.core.audit import audit_event
from loancrm.core.china_ids import InvalidIdNumber, InvalidMobile, normalize_mobile, validate_id_number
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.core.form_values import MAX_MONEY
from loancrm.core.id_messages import id_number_message
from loancrm.core.masking import mask
from loancrm.customers.choices import Kind
from loancrm.customers.models import Customer, CustomerMobile

Errors = dict[str, list[Any]]


def locked_customer(actor: Any, customer_id: int, perm: str = "customers.change_customer") -> Customer:
    """The customer, row-locked, if ``actor`` holds ``perm`` and may see it; NotFound when out of scope."""
    if not actor.has_perm(perm):
        raise PermissionDenied()
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .filter(scope_q(actor, owner="owner", org_unit="org_unit"), pk=customer_id)
        .first()
    )
    if customer is None:
        raise NotFound()
    return customer


def clean_id_number(raw: str, field: str, errors: Errors) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        return validate_id_number(raw, today=timezone.localdate()).number
    except InvalidIdNumber as exc:
        errors.setdefault(field, []).append(id_number_message(exc))
        return ""


def clean_mobile(raw: str, field: str, errors: Errors) -> str:
    try:
        return normalize_mobile(raw or "")
    except InvalidMobile:
        errors.setdefault(field, []).append(_("Enter a mainland mobile number."))
        return ""


def check_money(
    value: Decimal | None, field: str, errors: Errors, *, required: bool = False, signed: bool = False
) -> None:
    if value is None:
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return
    if (not signed and value < 0) or abs(value) > MAX_MONEY:
        errors.setdefault(field, []).append(_("Enter an amount of zero or more."))


def check_range(value: int | Decimal | None, field: str, errors: Errors, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        errors.setdefault(field, []).append(_("Enter a value from %(low)s to %(high)s.") % {"low": low, "high": high})


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(fields=errors)


def snapshot(obj: Model | None, fields: Iterable[str], pii: dict[str, str] | None = None) -> dict[str, Any]:
    """``fields`` of ``obj`` with the ``pii`` ones masked by their kind (the only form that goes into audit data)."""
    pii = pii or {}
    if obj is None:
        return {}
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = mask(pii[name], value) if name in pii else value
    return values


def rows_snapshot(rows: Iterable[Model], fields: Iterable[str], pii: dict[str, str] | None = None) -> list[Any]:
    return [snapshot(row, fields, pii) for row in rows]


class SectionAudit:
    """Before/after of one section for ``customer.updated``: the event carries the masked views; the unmasked views
    only decide whether anything changed (so a new number with the same masked form is still audited).

    ``take(masked)`` returns the section's current state; create the audit before changing anything.
    """

    def __init__(self, take: Callable[[bool], Any]) -> None:
        self.take = take
        self.before, self.raw_before = take(True), take(False)

    def write(self, actor: Any, customer: Customer, section: str, request: HttpRequest | None) -> None:
        if self.take(False) != self.raw_before:
            data = {"section": section, "before": self.before, "after": self.take(True)}
            audit_event(actor, "customer.updated", customer, data, request)
        Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())


def apply_id_number(customer: Customer, id_number: str) -> None:
    """Set a validated ID number and the birth date and gender read from it (empty clears them)."""
    customer.id_number = id_number
    if id_number:
        parsed = validate_id_number(id_number, today=timezone.localdate())
        customer.birth_date, customer.gender = parsed.birth_date, parsed.gender
    else:
        customer.birth_date, customer.gender = None, ""


def individual_create(
    *, name: str, id_number: str, mobile: str, owner: Any, org_unit: Any, mobile_is_primary: bool = True
) -> Customer:
    """A new individual customer numbered ``C`` + its id, with ``id_number`` (when given) and ``mobile``.

    The caller validates the inputs, audits, and catches the ``IntegrityError`` a concurrent twin raises on the
    unique ID-number blind index.
    """
    customer = Customer.objects.create(kind=Kind.INDIVIDUAL, name=name, owner=owner, org_unit=org_unit)
    update = ["number"]
    if id_number:
        apply_id_number(customer, id_number)
        update += ["id_number", "id_number_bidx", "gender", "birth_date"]
    customer.number = f"C{customer.pk:08d}"
    customer.save(update_fields=update)
    CustomerMobile.objects.create(customer=customer, mobile=mobile, is_primary=mobile_is_primary)
    return customer
