"""Lead intake for channel partners (single and batch) and scoped lead reads. Same services as the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.pagination import PageNumberPagination
from loancrm.leads import batch, selectors, services
from loancrm.leads.choices import IntakeOutcome
from loancrm.leads.schemas import (
    BatchIn,
    BatchOut,
    FunnelQuery,
    FunnelRowOut,
    IntakeOut,
    LeadFilters,
    LeadIn,
    LeadOut,
)

API_PREFIX = "/leads"
router = Router(tags=["leads"])


def _answer(result: services.IntakeResult) -> dict[str, Any]:
    created = result.outcome == IntakeOutcome.CREATED
    return {"outcome": result.outcome, "lead_id": result.lead_id if created else None,
            "fields": result.errors}  # fmt: skip


@router.post(
    "", response={201: IntakeOut, 200: IntakeOut, 422: IntakeOut}, auth=authorized("leads.intake_lead"),
    summary="Submit one lead (idempotent with external_id)",
)  # fmt: skip
def intake(request: HttpRequest, payload: LeadIn) -> Any:
    require_scope(request, "leads:write")
    result = services.lead_intake(data=payload.model_dump(), actor=request.user, request=request)
    status = {IntakeOutcome.CREATED: 200 if result.replay else 201, IntakeOutcome.DUPLICATE: 200}.get(
        IntakeOutcome(result.outcome), 422
    )
    return status, _answer(result)


@router.post("/batch", response=BatchOut, auth=authorized("leads.intake_lead"), summary="Submit up to 1,000 leads")
def intake_batch(request: HttpRequest, payload: BatchIn) -> Any:
    require_scope(request, "leads:write")
    results = batch.lead_intake_batch(items=[item.model_dump() for item in payload.items], actor=request.user,
                                         request=request)  # fmt: skip
    answers = [{"index": index, **_answer(result)} for index, result in enumerate(results)]
    counts = {outcome: sum(1 for r in results if r.outcome == outcome) for outcome in IntakeOutcome.values}
    return {**counts, "results": answers}


@router.get("", response=list[LeadOut], auth=authorized("leads.view_lead"), summary="Leads visible to the caller")
@paginate(PageNumberPagination)
def list_leads(request: HttpRequest, filters: Query[LeadFilters]) -> Any:
    require_scope(request, "read")
    return selectors.filter_leads(selectors.leads_visible_to(request.user), **filters.dict()).order_by("-created_at")


@router.get(
    "/funnel", response=list[FunnelRowOut], auth=authorized("leads.view_lead"),
    summary="Stage conversion of the caller's visible leads",
)  # fmt: skip
def lead_funnel(request: HttpRequest, query: Query[FunnelQuery]) -> Any:
    require_scope(request, "read")
    return selectors.funnel_for(request.user, **query.dict())


@router.get("/{lead_id}", response=LeadOut, auth=authorized("leads.view_lead"))
def get_lead(request: HttpRequest, lead_id: int) -> Any:
    require_scope(request, "read")
    return selectors.access_lead(request.user, lead_id)
