"""Compliance API: the consent texts in force (for H5 pages, apps and partners to show before asking)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from loancrm.accounts.api_auth import require_scope
from loancrm.compliance.models import Purpose
from loancrm.compliance.services import current_text

API_PREFIX = "/compliance"
router = Router(tags=["compliance"])


class ConsentTextOut(Schema):
    purpose: str
    version: int
    title: str
    body: str


@router.get("/consent-texts", response=list[ConsentTextOut], summary="The current text of every consent purpose")
def consent_texts(request: HttpRequest) -> Any:
    require_scope(request, "read")
    return [text for text in (current_text(value) for value in Purpose.values) if text is not None]
