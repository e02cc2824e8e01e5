"""Shell pages: the per-role home page, health check, API docs and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from loancrm.core.navigation import work_queues_for


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's work queues (cards with counts), one card per queue their roles own."""
    from loancrm.accounts.scope import data_scope

    context = {"queues": work_queues_for(request.user), "data_scope_label": data_scope(request.user).label}
    return render(request, "core/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """Interactive API documentation (Swagger UI served locally by django-ninja)."""
    from ninja.openapi.views import openapi_view

    from config.api import api

    return openapi_view(request, api)


def _error(request: HttpRequest, template: str, status: int, context: dict[str, Any] | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        messages = {403: _("You do not have permission to do this."), 404: _("Not found."), 500: _("Server error.")}
        codes = {403: "permission_denied", 404: "not_found", 500: "server_error"}
        return JsonResponse({"code": codes[status], "message": messages[status], "fields": {}}, status=status)
    body = loader.get_template(template).render(context or {}, request if status != 500 else None)
    return HttpResponse(body, status=status)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    record_denial(request)
    return _error(request, "403.html", 403)


def record_denial(request: HttpRequest) -> None:
    """Audit a refused request (who, what, from where); the request itself changed nothing."""
    from loancrm.core.audit import audit_event

    actor = getattr(request, "user", None)
    audit_event(actor, "auth.permission_denied", None, {"method": request.method, "path": request.path[:300]}, request)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, "500.html", 500)
