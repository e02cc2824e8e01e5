"""Credit review over the JSON API: the caller's cases, claim / release / reassign, the opinion, a condition met.
Same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized
from loancrm.core.pagination import PageNumberPagination
from loancrm.underwriting import selectors, services
from loancrm.underwriting.models import ReviewCase

API_PREFIX = "/underwriting"
router = Router(tags=["underwriting"])
VIEW = "underwriting.view_reviewcase"
WORK = "underwriting.work_reviewcase"
SUPERVISE = "underwriting.supervise_reviewcase"


class CaseOut(Schema):
    id: int
    application: str
    status: str
    team: str
    assignee: str | None
    risk_level: str
    amount: Decimal
    opened_at: dt.datetime
    due_at: dt.datetime


class ReassignIn(Schema):
    assignee_id: int
    reason: str


class ConditionIn(Schema):
    kind: str = "other"
    text: str


class OpinionIn(Schema):
    recommendation: str
    amount: Decimal | None = None
    annual_rate: Decimal | None = None
    term_months: int | None = None
    method: str = ""
    risk_points: list[str] = []
    conditions: list[ConditionIn] = []
    comment: str


class OpinionOut(Schema):
    id: int
    case_id: int
    recommendation: str
    amount: Decimal
    annual_rate: Decimal
    term_months: int
    method: str


class EvidenceIn(Schema):
    evidence: str


def _out(case: ReviewCase) -> dict[str, Any]:
    return {
        "id": case.pk, "application": case.application.number or "", "status": case.status, "team": case.team.name,
        "assignee": case.assignee.username if case.assignee else None, "risk_level": case.risk_level,
        "amount": case.application.amount, "opened_at": case.opened_at, "due_at": case.due_at,
    }  # fmt: skip


@router.get("/cases", response=list[CaseOut], auth=authorized(VIEW), summary="Review cases in the caller's scope")
@paginate(PageNumberPagination)
def list_cases(request: HttpRequest, status: str = "", mine: bool = False) -> Any:
    rows = selectors.filter_cases(selectors.cases_visible_to(request.user), status=status).order_by("due_at", "pk")
    if mine:
        rows = rows.filter(assignee_id=request.user.pk)
    return [_out(case) for case in rows]


@router.get("/cases/{case_id}", response=CaseOut, auth=authorized(VIEW), summary="One review case")
def get_case(request: HttpRequest, case_id: int) -> Any:
    return _out(selectors.access_case(request.user, case_id))


@router.post("/cases/{case_id}/claim", response=CaseOut, auth=authorized(WORK), summary="Claim a queued case")
def claim(request: HttpRequest, case_id: int) -> Any:
    services.review_case_claim(actor=request.user, case_id=case_id, request=request)
    return _out(selectors.access_case(request.user, case_id))


@router.post("/cases/{case_id}/release", response=CaseOut, auth=authorized(WORK), summary="Release a claimed case")
def release(request: HttpRequest, case_id: int) -> Any:
    services.review_case_release(actor=request.user, case_id=case_id, request=request)
    return _out(ReviewCase.objects.select_related("application", "team", "assignee").get(pk=case_id))


@router.post(
    "/cases/{case_id}/reassign", response=CaseOut, auth=authorized(SUPERVISE), summary="Reassign (supervisors)"
)
def reassign(request: HttpRequest, case_id: int, payload: ReassignIn) -> Any:
    services.review_case_reassign(
        actor=request.user, case_id=case_id, assignee_id=payload.assignee_id, reason=payload.reason, request=request
    )
    return _out(selectors.access_case(request.user, case_id))


@router.post("/cases/{case_id}/opinion", response={201: OpinionOut}, auth=authorized(WORK),
             summary="Submit the review opinion (hands it to approval)")  # fmt: skip
def opinion(request: HttpRequest, case_id: int, payload: OpinionIn) -> Any:
    values = payload.model_dump()
    values["conditions"] = [c.model_dump() for c in payload.conditions]
    created = services.review_opinion_submit(actor=request.user, case_id=case_id, values=values, request=request)
    return 201, created


@router.post("/conditions/{condition_id}/met", response={200: dict[str, Any]},
             auth=authorized("underwriting.mark_condition_met"),
             summary="Mark a review condition met")  # fmt: skip
def condition_met(request: HttpRequest, condition_id: int, payload: EvidenceIn) -> Any:
    condition = services.review_condition_mark_met(
        actor=request.user, condition_id=condition_id, evidence=payload.evidence, request=request
    )
    return {
        "id": condition.pk,
        "met": condition.met,
        "met_at": condition.met_at.isoformat() if condition.met_at else None,
    }
