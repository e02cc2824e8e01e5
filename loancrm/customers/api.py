"""Customer reads (scoped, masked), lead conversion and the status change. Same selectors and services as the
pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.pagination import PageNumberPagination
from loancrm.customers import selectors, services
from loancrm.customers.schemas import (
    ConvertIn,
    ConvertOut,
    Customer360Out,
    CustomerFilters,
    CustomerOut,
    StatusIn,
    StatusOut,
    customer_360_out,
)

API_PREFIX = "/customers"
router = Router(tags=["customers"])


@router.get("", response=list[CustomerOut], auth=authorized("customers.view_customer"),
            summary="Customers visible to the caller")  # fmt: skip
@paginate(PageNumberPagination)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    require_scope(request, "read")
    qs = selectors.filter_customers(selectors.customers_visible_to(request.user), **filters.dict())
    return qs.prefetch_related("mobiles").order_by("-created_at", "-pk")


@router.get("/{customer_id}", response=Customer360Out, auth=authorized("customers.view_customer"),
            summary="Customer 360 (personal data masked)")  # fmt: skip
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    require_scope(request, "read")
    return customer_360_out(selectors.customer_360(selectors.access_customer(request.user, customer_id)))


@router.post(
    "/from-lead/{lead_id}",
    response={200: ConvertOut, 201: ConvertOut},
    auth=authorized("customers.add_customer"),
    summary="Convert a lead (or link it to its customer)",
)
def convert_lead(request: HttpRequest, lead_id: int, payload: ConvertIn) -> Any:
    require_scope(request, "leads:write")
    result = services.lead_convert(actor=request.user, lead_id=lead_id, id_number=payload.id_number, request=request)
    body = {"customer_id": result.customer.pk, "number": result.customer.number, "created": result.created,
            "already_linked": result.already_linked}  # fmt: skip
    return (201 if result.created else 200), body


@router.post(
    "/{customer_id}/status", response=StatusOut, auth=authorized("customers.change_customer"),
    summary="Change the customer's status (reason mandatory; reopening a closed customer needs a manager)",
)  # fmt: skip
def set_status(request: HttpRequest, customer_id: int, payload: StatusIn) -> Any:
    require_scope(request, "*")
    customer = selectors.access_customer(request.user, customer_id)
    customer = services.customer_set_status(
        actor=request.user, customer_id=customer.pk, status=payload.status, reason=payload.reason, request=request
    )
    return {"id": customer.pk, "number": customer.number, "status": customer.status, "closed_at": customer.closed_at,
            "change": selectors.status_changes(customer).first()}  # fmt: skip
