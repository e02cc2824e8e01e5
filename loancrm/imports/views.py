"""Lead import pages: the scoped list, upload, mapping with preview, live progress, rejected rows download."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.core.errors import DomainError
from loancrm.core.htmx import template_for
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.imports import rejects, selectors, services
from loancrm.imports.forms import UploadForm

VIEW, ADD = "imports.view_leadimport", "imports.add_leadimport"


@perm_required(VIEW)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.imports_visible_to(request.user)
    listing = paginate(request, qs, sorts={"created": "created_at", "status": "status"}, default_sort="-created")
    context = {
        "listing": listing,
        "page_obj": listing.page_obj,
        "active": any(item.is_active for item in listing.rows),
    }
    return render(request, template_for(request, "imports/list.html", "imports/_table.html"), context)


@perm_required(ADD)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead_import = services.import_upload(
                actor=request.user, upload=form.cleaned_data["file"], channel_id=form.cleaned_data["channel"].pk,
                campaign=form.cleaned_data["campaign"], request=request,
            )  # fmt: skip
        except DomainError as exc:
            for name, msgs in exc.fields.items():
                form.add_error(name if name in form.fields else None, msgs)
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            return redirect("imports:detail", pk=lead_import.pk)
    return render(request, "imports/new.html", {"form": form})


@perm_required(VIEW)
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead_import = selectors.access_import(request.user, pk)
    mapping_open = lead_import.mapping_open
    context = {
        "imp": lead_import,
        "mapping_open": mapping_open,
        "columns": list(zip(lead_import.headers, lead_import.mapping, strict=False)),
        "choices": selectors.field_choices(),
        "preview": selectors.preview_rows(lead_import) if mapping_open else [],
        "labels": dict(selectors.field_choices()),
        "can_start": request.user.has_perm(ADD),
    }
    return render(request, template_for(request, "imports/detail.html", "imports/_progress.html"), context)


@perm_required(ADD)
@require_POST
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping; with ``action=start`` also start the run."""
    lead_import = selectors.access_import(request.user, pk)
    try:
        services.import_map(
            actor=request.user, lead_import_id=lead_import.pk, mapping=request.POST.getlist("mapping"), request=request
        )
        if request.POST.get("action") == "start":
            services.import_start(actor=request.user, lead_import_id=lead_import.pk, request=request)
            messages.success(request, _("The import is running; this page shows its progress."))
    except DomainError as exc:
        messages.error(request, exc.summary())
    return redirect("imports:detail", pk=lead_import.pk)


@perm_required(ADD)
@require_POST
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a failed import from its last committed chunk."""
    lead_import = selectors.access_import(request.user, pk)
    try:
        services.import_start(actor=request.user, lead_import_id=lead_import.pk, request=request)
    except DomainError as exc:
        messages.error(request, exc.summary())
    else:
        messages.success(request, _("The import was resumed."))
    return redirect("imports:detail", pk=lead_import.pk)


@perm_required(VIEW)
@require_GET
def import_rejected(request: HttpRequest, pk: int) -> HttpResponseBase:
    lead_import = selectors.access_import(request.user, pk)
    return rejects.rejected_rows_response(actor=request.user, lead_import=lead_import, request=request)
