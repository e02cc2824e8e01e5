"""Portfolio import pages: the list, upload, check with preview, start, live progress and result, the errors file,
the template."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error
from loancrm.core.htmx import template_for
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.loans.choices import ImportStatus
from loancrm.loans.portfolio import errors_file, selectors, services
from loancrm.loans.portfolio.example import example_rows
from loancrm.loans.portfolio.forms import UploadForm

PERMISSION = services.PERMISSION


@perm_required(PERMISSION)
@require_GET
def portfolio_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.imports_visible_to(request.user)
    listing = paginate(request, qs, sorts={"created": "created_at", "status": "status", "rows": "total_rows"},
                       default_sort="-created")  # fmt: skip
    context = {"listing": listing, "page_obj": listing.page_obj, "active": any(i.is_active for i in listing.rows)}
    return render(request, template_for(request, "loans/portfolio/list.html", "loans/portfolio/_table.html"), context)


@perm_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def portfolio_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imp = services.portfolio_upload(actor=request.user, upload=form.cleaned_data["file"], request=request)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("loans:portfolio_detail", pk=imp.pk)
    return render(request, "loans/portfolio/new.html", {"form": form})


@perm_required(PERMISSION)
@require_GET
def portfolio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    imp = selectors.access_import(request.user, pk)
    waiting = imp.status == ImportStatus.PENDING
    context = {
        "imp": imp,
        "waiting": waiting,
        "same_file": selectors.same_file(imp),
        "columns": selectors.preview_columns(imp) if waiting else [],
        "preview": selectors.preview_rows(imp) if waiting else [],
        "first_errors": selectors.first_errors(imp),
        "preview_limit": selectors.PREVIEW_ROWS,
    }
    template = template_for(request, "loans/portfolio/detail.html", "loans/portfolio/_progress.html")
    return render(request, template, context)


@perm_required(PERMISSION)
@require_POST
def portfolio_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the run of a checked import, or resume a failed or stalled one."""
    imp = selectors.access_import(request.user, pk)
    resumed = imp.status != ImportStatus.PENDING
    try:
        services.portfolio_start(actor=request.user, import_id=imp.pk, request=request)
    except DomainError as exc:
        messages.error(request, exc.summary())
    else:
        messages.success(request, _("The import was resumed.") if resumed else
                         _("The import is running; this page shows its progress."))  # fmt: skip
    return redirect("loans:portfolio_detail", pk=imp.pk)


@perm_required(PERMISSION)
@require_GET
def portfolio_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    imp = selectors.access_import(request.user, pk)
    return errors_file.errors_response(actor=request.user, imp=imp, pf=services.portfolio_file(imp), request=request)


@perm_required(PERMISSION)
@require_GET
def portfolio_template(request: HttpRequest) -> FileResponse:
    """The import template: the recognised headers and example rows (made-up people)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in example_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="portfolio_import_template.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
