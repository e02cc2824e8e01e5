"""Who acts on an application: a back-office user, or a customer signed in on the H5 pages.

A ``CustomerPrincipal`` may act only on its own customer's applications; it has no permissions and no data
scope. Its ``str`` is what the audit log records as the actor (``customer:C00000001``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CustomerPrincipal:
    customer_id: int
    customer_number: str

    is_authenticated = False
    pk = None

    def __str__(self) -> str:
        return f"customer:{self.customer_number}"


def is_customer(actor: Any) -> bool:
    return isinstance(actor, CustomerPrincipal)


def audit_actor(actor: Any) -> Any:
    """The actor as ``audit_event`` takes it: the user, or the customer's label."""
    return str(actor) if is_customer(actor) else actor


def is_partner(actor: Any) -> bool:
    """A channel partner's API user: it sees and changes only the applications it brought (by partner name)."""
    return getattr(actor, "kind", "") == "partner" and bool(getattr(actor, "pk", None))


def partner_name(actor: Any) -> str:
    return str(actor.get_username())[:60]
