"""Approval API: my pending cases, the cases I may see, and the act endpoint (the same services as the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.approvals import selectors, services
from loancrm.approvals.models import ApprovalCase, CaseStatus
from loancrm.approvals.schemas import ActIn, ActionOut, CaseOut
from loancrm.core.errors import NotFound

API_PREFIX = "/approvals"
router = Router(tags=["approvals"])


def _out(case: ApprovalCase, acting_for: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": case.pk, "application": case.application.number or "", "status": case.status,
        "route_code": case.route_code, "round": case.round, "current_step": case.current_step,
        "steps": len(case.steps), "amount": case.amount, "requested_amount": case.requested_amount,
        "risk_level": case.risk_level, "updated_at": case.updated_at, "acting_for": acting_for or [],
    }  # fmt: skip


@router.get("/pending", response=list[CaseOut], auth=authorized("approvals.act_approvalcase"),
            summary="Cases whose current step I may decide now (also through a delegation)")  # fmt: skip
def pending(request: HttpRequest) -> Any:
    return [_out(p.case, p.acting_for) for p in selectors.pending_for(request.user)]


@router.get(
    "/cases",
    response=list[CaseOut],
    auth=authorized("approvals.view_approvalcase"),
    summary="Approval cases I may see (newest first; ?status=pending|referred_back|approved|rejected)",
)
def cases(request: HttpRequest, status: str = "", page: int = 1, page_size: int = 50) -> Any:
    rows = selectors.cases_visible_to(request.user).order_by("-updated_at", "-pk")
    if status in CaseStatus.values:
        rows = rows.filter(status=status)
    size = min(max(page_size, 1), 200)
    start = (max(page, 1) - 1) * size
    return [_out(c) for c in rows[start : start + size]]


@router.post("/cases/{case_id}/act", response=ActionOut, auth=authorized("approvals.act_approvalcase"),
             summary="Approve (optionally lowering the amount), reject or refer back the current step")  # fmt: skip
def act(request: HttpRequest, case_id: int, payload: ActIn) -> Any:
    require_scope(request, "approvals:write")
    visible = selectors.cases_visible_to(request.user).filter(pk=case_id).exists()
    if not visible and selectors.may_view_as_pending(request.user, case_id) is None:
        raise NotFound()
    row = services.approval_act(case_id=case_id, actor=request.user, action=payload.action, comment=payload.comment,
                                 amount=payload.amount, request=request)  # fmt: skip
    return {
        "id": row.pk, "case": case_id, "step": row.step, "action": row.action, "actor": row.actor.username,
        "acting_for": row.acting_for.username if row.acting_for else None, "amount": row.amount,
        "case_status": ApprovalCase.objects.get(pk=case_id).status,
    }  # fmt: skip
