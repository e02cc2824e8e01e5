"""Shell pages: the per-role home page, health check, API docs and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_POST

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


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, unread first then newest."""
    from loancrm.core.listing import paginate
    from loancrm.core.notifications import notifications_for

    qs = notifications_for(request.user)
    listing = paginate(request, qs, sorts={"created": "created_at", "read": "read_at"}, default_sort="-created")
    return render(request, "core/notifications.html", {"listing": listing, "page_obj": listing.page_obj})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of the user's notifications read, then follow its link if any."""
    from loancrm.core.notifications import mark_read, notifications_for

    raw = request.POST.get("id", "")
    notification_id = int(raw) if raw.isdigit() else None
    mark_read(request.user, notification_id)
    target = notifications_for(request.user).filter(pk=notification_id).first() if notification_id else None
    if target and target.link.startswith("/") and not target.link.startswith("//"):
        return redirect(target.link)
    return redirect("core:notifications")
