"""The customer's status: active ↔ dormant, active/dormant → closed, closed → active (reopening, managers only).

Invariants: the actor needs ``customers.change_customer`` and the customer in scope (else NotFound), and
``customers.reopen_customer`` to reopen; a reason is mandatory; a customer with a valid lead still in the pipeline
(not rejected or disbursed) cannot be closed; ``closed_at`` is set on closing and cleared on reopening; the status,
the ``CustomerStatusChange`` row and the audit event (before/after and reason) commit together, and a refusal
writes none of them. Not checked yet, because the modules do not exist: open applications and outstanding loans
(they will refuse closing too).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import ValidationFailed
from loancrm.customers.choices import REOPEN_PERMISSION, Status, ensure_transition
from loancrm.customers.errors import OpenLeads, ReopenDenied
from loancrm.customers.models import Customer, CustomerStatusChange
from loancrm.customers.services.common import locked_customer
from loancrm.leads.choices import CLOSED_STAGES, Validity
from loancrm.leads.models import Lead

REASON_MAX = 500


def _open_leads(customer: Customer) -> list[str]:
    leads = Lead.objects.filter(customer_link__customer=customer, validity=Validity.VALID).exclude(
        stage__in=CLOSED_STAGES
    )
    return [str(lead) for lead in leads.order_by("pk")]


@transaction.atomic
def customer_set_status(
    *, actor: Any, customer_id: int, status: str, reason: str, request: HttpRequest | None = None
) -> Customer:
    """Move the customer to ``status`` for ``reason`` (see module invariants)."""
    customer = locked_customer(actor, customer_id)
    reason = (reason or "").strip()
    errors: dict[str, list[Any]] = {}
    if status not in Status.values:
        errors["status"] = [_("Choose one of the allowed values.")]
    if not reason:
        errors["reason"] = [_("Give the reason for the change.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(n)s characters.") % {"n": REASON_MAX}]
    if errors:
        raise ValidationFailed(fields=errors)
    before = customer.status
    ensure_transition(before, status)
    if before == Status.CLOSED and not actor.has_perm(REOPEN_PERMISSION):
        raise ReopenDenied()
    if status == Status.CLOSED:
        open_leads = _open_leads(customer)
        if open_leads:
            raise OpenLeads(
                _("The customer has leads in progress (%(leads)s); reject or finish them first.")
                % {"leads": ", ".join(open_leads)}
            )
    now = timezone.now()
    closed_before = customer.closed_at
    customer.status, customer.closed_at = status, (now if status == Status.CLOSED else None)
    customer.save(update_fields=["status", "closed_at", "updated_at"])
    CustomerStatusChange.objects.create(
        customer=customer, from_status=before, to_status=status, reason=reason, actor=actor, changed_at=now
    )
    audit_event(actor, "customer.status_changed", customer,
                {"before": {"status": before, "closed_at": closed_before},
                 "after": {"status": status, "closed_at": customer.closed_at}, "reason": reason}, request)  # fmt: skip
    return customer
