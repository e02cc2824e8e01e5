"""JSON API of the payments: signed channel notifications, posting requests (maker-checker), the payoff quote.

The notification endpoint has no session or token: its authentication is the channel's signature (see
``loancrm.loans.notifications``). Everything else is the caller's session or token, scoped to the loans they see.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from loancrm.accounts.api_auth import BearerToken, SessionAuth, authorized, require_scope
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import NotFound
from loancrm.core.pagination import PageNumberPagination
from loancrm.loans import notifications, postings
from loancrm.loans.models import Loan, PaymentChannel
from loancrm.loans.payments_schemas import (
    DecisionIn,
    DecisionOut,
    NotificationAccepted,
    NotificationIn,
    NotificationRefused,
    PostingRequestIn,
    PostingRequestOut,
    QuoteFilters,
    QuoteOut,
    RejectIn,
    RequestFilters,
)
from loancrm.loans.selectors import loans_visible_to

router = Router(tags=["payments"])


class _AnyPermBearer(BearerToken):
    def __init__(self, perms: tuple[str, ...]) -> None:
        super().__init__()
        self.perms = perms

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        if user is not None and not any(user.has_perm(p) for p in self.perms):
            raise AuthorizationError()
        return user


class _AnyPermSession(SessionAuth):
    def __init__(self, perms: tuple[str, ...]) -> None:
        super().__init__()
        self.perms = perms

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not any(user.has_perm(p) for p in self.perms):
            raise AuthorizationError()
        return user


def any_of(*perms: str) -> list[Any]:
    """Signed in (session or token) and holding at least one of ``perms``, checked before validation."""
    return [_AnyPermBearer(perms), _AnyPermSession(perms)]


_HEADERS = [
    {"name": "X-Timestamp", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "Unix seconds; refused when more than 5 minutes from the server's clock"},
    {"name": "X-Signature", "in": "header", "required": True, "schema": {"type": "string"},
     "description": 'Hex HMAC-SHA256 under the channel secret of X-Timestamp + "." + the raw body'},
]  # fmt: skip
_NOTIFY_BODY = {
    "required": True,
    "content": {"application/json": {"schema": NotificationIn.model_json_schema()}},
}


@router.post(
    "/notify/{channel}",
    auth=None,
    response={200: NotificationAccepted, frozenset({400, 401, 409, 413, 422}): NotificationRefused},
    openapi_extra={"parameters": _HEADERS, "requestBody": _NOTIFY_BODY},
    summary="A payment channel's signed repayment notification (idempotent on channel_txn_id)",
)
def notify_payment(request: HttpRequest, channel: str) -> Any:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > notifications.MAX_BODY:
        answer = notifications.refusal("payload_too_large")
    else:
        answer = notifications.notification_receive(
            channel_code=channel[:30],
            raw_body=request.body,
            timestamp=request.headers.get("X-Timestamp"),
            signature=request.headers.get("X-Signature"),
            request=request,
        )
    return JsonResponse(answer.body, status=answer.status, json_dumps_params={"ensure_ascii": False})


def _loan_of(request: HttpRequest, payload: PostingRequestIn) -> Loan:
    visible = loans_visible_to(request.user)
    if payload.loan_id is not None:
        loan = visible.filter(pk=payload.loan_id).first()
    elif payload.contract_no:
        loan = visible.filter(contract_no=payload.contract_no.strip()).first()
    else:
        loan = None
    if loan is None:
        raise NotFound
    return loan


@router.post(
    "/requests", response={201: PostingRequestOut}, auth=any_of("loans.post_payment", "loans.reverse_payment"),
    summary="Request a manual payment, partial prepayment, payoff or reversal (waits for a second person)",
)  # fmt: skip
def create_request(request: HttpRequest, payload: PostingRequestIn) -> Any:
    require_scope(request, "payments:write")
    loan = _loan_of(request, payload)
    channel_id = None
    if payload.channel:
        channel_id = PaymentChannel.objects.filter(code=payload.channel).values_list("pk", flat=True).first() or 0
    row = postings.posting_request(
        actor=request.user, loan_id=loan.pk, kind=payload.kind, reason=payload.reason, amount=payload.amount,
        value_date=payload.value_date, keep=payload.keep, use_advance=payload.use_advance, channel_id=channel_id,
        reference=payload.reference, transaction_id=payload.transaction_id, request=request,
    )  # fmt: skip
    return 201, row


@router.get("/requests", response=list[PostingRequestOut], auth=any_of(*postings.REQUEST_PERMS),
            summary="Posting requests on the caller's visible loans, newest first")  # fmt: skip
@paginate(PageNumberPagination)
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    require_scope(request, "read")
    qs = postings.filter_requests(
        postings.requests_visible_to(request.user),
        kind=filters.kind or "",
        status=filters.status or "",
        q=filters.contract_no or "",
    )
    return qs.order_by("-id")


@router.post("/requests/{request_id}/approve", response=DecisionOut, auth=authorized("loans.approve_posting"),
             summary="Approve and carry out a request (another person than its maker); status failed when the "
                     "loans service refuses, with the refusal under error")  # fmt: skip
def approve_request(request: HttpRequest, request_id: int, payload: DecisionIn | None = None) -> Any:
    require_scope(request, "payments:write")
    decision = postings.posting_approve(
        actor=request.user, request_id=request_id, note=payload.note if payload else "", request=request
    )
    row = decision.request
    row.error = decision.error.as_dict() if decision.error else None  # type: ignore[attr-defined]
    return row


@router.post("/requests/{request_id}/reject", response=PostingRequestOut, auth=authorized("loans.approve_posting"),
             summary="Reject a request with a note")  # fmt: skip
def reject_request(request: HttpRequest, request_id: int, payload: RejectIn) -> Any:
    require_scope(request, "payments:write")
    row = postings.posting_reject(actor=request.user, request_id=request_id, note=payload.note, request=request)
    return row


@router.get("/quote", response=QuoteOut, auth=authorized("loans.view_loan"),
            summary="What paying off the loan on a date costs (read only)")  # fmt: skip
def quote(request: HttpRequest, filters: Query[QuoteFilters]) -> Any:
    require_scope(request, "read")
    loan = loans_visible_to(request.user).filter(contract_no=filters.contract_no.strip()).first()
    if loan is None:
        raise NotFound
    result = postings.posting_quote(loan=loan, as_of=filters.as_of or current_business_date())
    return {"contract_no": loan.contract_no, **result.as_dict()}
