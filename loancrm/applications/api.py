"""Applications for channel partners: create (idempotent on external_ref), read, submit. Same services as the pages.

A partner's token sees only the applications it brought; tokens need "applications:write" to create or submit and
"read" to read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.applications import selectors, services
from loancrm.applications.models import Application
from loancrm.applications.outcome import decision_outcome
from loancrm.applications.partner import application_partner_intake
from loancrm.applications.schemas import ApplicationIn, ApplicationOut
from loancrm.core.errors import NotFound

API_PREFIX = "/applications"
router = Router(tags=["applications"])


def _out(application: Application) -> dict[str, Any]:
    return {
        "number": application.number or "", "status": application.status,
        "status_label": str(application.get_status_display()), "external_ref": application.external_ref,
        "product_code": application.product_version.product.code, "amount": application.amount,
        "term_months": application.term_months, "method": application.method,
        "annual_rate": application.annual_rate, "purpose": application.purpose,
        "created_at": application.created_at, "submitted_at": application.submitted_at,
        "decided_at": application.decided_at, "decision": decision_outcome(application),
    }  # fmt: skip


def _by_number(request: HttpRequest, number: str) -> Application:
    found = selectors.applications_visible_to(request.user).filter(number=number).first()
    if found is None:
        raise NotFound()
    return found


@router.post(
    "", response={201: ApplicationOut, 200: ApplicationOut}, auth=authorized("applications.add_application"),
    summary="Create an application for an applicant (idempotent on external_ref; 200 for a repeat, 409 if it differs)",
)  # fmt: skip
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    require_scope(request, "applications:write")
    result = application_partner_intake(
        actor=request.user, applicant=payload.applicant.model_dump(), product_code=payload.product_code,
        values=payload.values(), external_ref=payload.external_ref, submit=payload.submit, request=request,
    )  # fmt: skip
    application = selectors.applications_visible_to(request.user).get(pk=result.application.pk)
    return (201 if result.created else 200), _out(application)


@router.get("/{number}", response=ApplicationOut, auth=authorized("applications.add_application"),
            summary="One application of the caller: status and, once decided, the outcome")  # fmt: skip
def get_application(request: HttpRequest, number: str) -> Any:
    require_scope(request, "read")
    return _out(_by_number(request, number))


@router.post("/{number}/submit", response=ApplicationOut, auth=authorized("applications.submit_application"),
             summary="Submit a draft (its problems come back as field errors)")  # fmt: skip
def submit_application(request: HttpRequest, number: str) -> Any:
    require_scope(request, "applications:write")
    found = _by_number(request, number)
    services.application_submit(actor=request.user, application_id=found.pk, request=request)
    return _out(selectors.applications_visible_to(request.user).get(pk=found.pk))
