"""Small helpers for htmx-driven views."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse


def is_htmx(request: HttpRequest) -> bool:
    """True when the request came from htmx (``HX-Request: true``)."""
    return request.headers.get("HX-Request") == "true"


def template_for(request: HttpRequest, full: str, partial: str) -> str:
    """Choose the fragment template for htmx requests that target part of a page, else the full page."""
    return partial if is_htmx(request) and not request.headers.get("HX-Boosted") else full


def trigger(response: HttpResponse, event: str, detail: Any = None) -> HttpResponse:
    """Add an ``HX-Trigger`` event (merged with any already set) so the page can react."""
    existing = response.get("HX-Trigger")
    events: dict[str, Any] = json.loads(existing) if existing and existing.startswith("{") else {}
    events[event] = detail
    response["HX-Trigger"] = json.dumps(events)
    return response


def redirect(url: str) -> HttpResponse:
    """A client-side redirect htmx follows (a plain 302 would be swapped into the target)."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response
