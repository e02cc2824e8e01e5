"""Personal-data reveal API: the same audited service as the htmx "view" control."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from loancrm.accounts.api_auth import require_scope
from loancrm.core.pii import pii_reveal

router = Router(tags=["personal data"])


class RevealIn(Schema):
    object_type: str = Field(..., description="app.model, e.g. accounts.user", max_length=80)
    object_id: int
    field: str = Field(..., max_length=60)
    reason: str = Field(..., min_length=1, max_length=200)


class RevealOut(Schema):
    object_type: str
    object_id: int
    field: str
    value: str


@router.post("/reveal", response=RevealOut, summary="Reveal one masked field of one record (audited)")
def reveal(request: HttpRequest, payload: RevealIn) -> Any:
    require_scope(request, "*")
    value = pii_reveal(
        actor=request.user,
        model_label=payload.object_type,
        object_id=payload.object_id,
        field=payload.field,
        reason=payload.reason,
        request=request,
    )
    return {"object_type": payload.object_type, "object_id": payload.object_id, "field": payload.field, "value": value}
