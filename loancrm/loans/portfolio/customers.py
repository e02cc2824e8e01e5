"""The borrower of a migrated loan: the customer holding the row's ID number, or a new individual customer.

Why here and not in ``loancrm.customers.services``: that package creates individuals only by converting a lead
(``lead_convert``); a migrated borrower has no lead. This is the same creation (``apply_id_number`` for the ID
number, birth date and gender; the C-number; the primary mobile; a ``customer.created`` event), for the customers
app to adopt as a public service.

Invariants: the caller holds the transaction (the portfolio run's chunk); the ID number and mobile are stored only
encrypted with their blind indexes; the audit event carries no personal data; the unique blind indexes decide
between racing creators (an ``IntegrityError`` for the caller's savepoint).
"""

from __future__ import annotations

from typing import Any

from loancrm.core.audit import audit_event
from loancrm.customers.choices import Kind
from loancrm.customers.models import Customer, CustomerMobile
from loancrm.customers.services.common import apply_id_number
from loancrm.customers.services.convert import _assign_number  # the customers app's numbering rule


def migrated_customer_create(
    *, actor: Any, name: str, id_number: str, mobile: str = "", owner: Any = None, import_ref: str = ""
) -> Customer:
    """A new individual customer for a migrated loan, owned by ``owner`` (the file's account officer) or nobody."""
    customer = Customer(kind=Kind.INDIVIDUAL, name=name, owner=owner, org_unit=getattr(owner, "org_unit", None))
    apply_id_number(customer, id_number)
    customer.save()
    _assign_number(customer)
    if mobile:
        CustomerMobile.objects.create(customer=customer, mobile=mobile, is_primary=True)
    audit_event(actor, "customer.created", customer, {"source": "portfolio_import", "import": import_ref})
    return customer
