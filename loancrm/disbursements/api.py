"""Disbursement API: request a disbursement, read an application's checklist and order, and the payment channel's
signed callback (no session or token: the signature authenticates). The pages call the same services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.applications import lifecycle
from loancrm.disbursements import callbacks, selectors, services
from loancrm.disbursements.checklist import disbursement_checklist
from loancrm.disbursements.models import DisbursementOrder
from loancrm.disbursements.schemas import CallbackAccepted, CallbackIn, CallbackRefused, OrderOut, RequestIn, StatusOut

API_PREFIX = "/disbursements"
router = Router(tags=["disbursements"])

_HEADERS = [
    {"name": "X-Timestamp", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "Unix seconds; within 5 minutes of the server's time"},
    {"name": "X-Signature", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "hex HMAC-SHA256 of X-Timestamp + '.' + raw body under the channel secret"},
]  # fmt: skip


def order_out(order: DisbursementOrder) -> dict[str, Any]:
    return {
        "id": order.pk, "contract_no": order.contract_no, "amount": order.amount, "status": order.status,
        "status_label": str(order.get_status_display()), "channel_code": order.channel_code,
        "account": order.account.masked, "failure_reason": order.failure_reason, "loan_id": order.loan_id,
        "created_at": order.created_at,
        "attempts": [
            {"number": a.number, "status": a.status, "channel_reference": a.channel_reference,
             "submitted_at": a.submitted_at, "answered_at": a.answered_at, "failure_reason": a.failure_reason}
            for a in order.attempt_rows.all()
        ],
    }  # fmt: skip


@router.post("/applications/{application_id}/request", response={200: OrderOut},
             auth=authorized(services.REQUEST),
             summary="Request the disbursement of a signed application (one order per contract)")  # fmt: skip
def request_disbursement(request: HttpRequest, application_id: int, payload: RequestIn) -> Any:
    require_scope(request, "disbursements:write")
    selectors.access_application(request.user, application_id)
    order = services.disbursement_request(application_id=application_id, actor=request.user,
                                          idempotency_key=payload.idempotency_key, request=request)  # fmt: skip
    return order_out(DisbursementOrder.objects.select_related("account").get(pk=order.pk))


@router.get("/applications/{application_id}", response=StatusOut, auth=authorized(selectors.VIEW),
            summary="An application's pre-disbursement checklist and its latest disbursement order")  # fmt: skip
def disbursement_status(request: HttpRequest, application_id: int) -> Any:
    application = selectors.access_application(request.user, application_id)
    checks = disbursement_checklist(application)
    order = selectors.latest_order(application)
    return {
        "application": application.number or "", "application_status": application.status,
        "contract_no": lifecycle.contract_number(application), "ready": all(c.passed for c in checks),
        "checklist": [{"code": c.code, "label": c.label, "passed": c.passed, "detail": c.detail} for c in checks],
        "order": order_out(order) if order else None,
    }  # fmt: skip


@router.post(
    "/callback", auth=None,
    response={200: CallbackAccepted, frozenset({400, 401, 409, 413, 422}): CallbackRefused},
    openapi_extra={"parameters": _HEADERS,
                   "requestBody": {"content": {"application/json": {"schema": CallbackIn.model_json_schema()}}}},
    summary="The payment channel's signed answer to a disbursement attempt (idempotent on channel_reference)",
)  # fmt: skip
def disbursement_callback(request: HttpRequest) -> Any:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > callbacks.MAX_BODY:
        answer = callbacks.refusal("payload_too_large")
    else:
        answer = callbacks.callback_receive(raw_body=request.body, timestamp=request.headers.get("X-Timestamp"),
                                            signature=request.headers.get("X-Signature"), request=request)  # fmt: skip
    return JsonResponse(answer.body, status=answer.status, json_dumps_params={"ensure_ascii": False})
