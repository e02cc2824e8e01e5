"""Bank statement pages: the list, upload, the statement with its reconciliation report and live progress, start
(or resume) the posting, and the export of lines not posted."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error
from loancrm.core.htmx import is_htmx
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.loans.choices import ImportStatus, MatchResult
from loancrm.loans.statements import exports, selectors, services
from loancrm.loans.statements.forms import StatementUploadForm

VIEW, POST = "loans.view_loan", "loans.post_payment"


@perm_required(VIEW)
@require_GET
def statement_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("channel", "status")}
    qs = selectors.filter_statements(selectors.statements_visible_to(request.user), **filters)
    listing = paginate(request, qs, sorts={"created": "created_at", "status": "status", "lines": "total_lines",
                                           "posted": "amount_posted"}, default_sort="-created")  # fmt: skip
    context = {
        "listing": listing,
        "page_obj": listing.page_obj,
        "filters": filters,
        "statuses": ImportStatus.choices,
        "channels": selectors.usable_channels().order_by("code"),
        "active": any(item.is_active for item in listing.rows),
    }
    template = "loans/statements/_table.html" if is_htmx(request) else "loans/statements/list.html"
    return render(request, template, context)


@perm_required(POST)
@require_http_methods(["GET", "POST"])
def statement_new(request: HttpRequest) -> HttpResponse:
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.statement_upload(
                actor=request.user, upload=form.cleaned_data["file"], channel_id=form.cleaned_data["channel"].pk,
                request=request,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("loans:statement_detail", pk=statement.pk)
    return render(request, "loans/statements/new.html", {"form": form})


@perm_required(VIEW)
@require_GET
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.access_statement(request.user, pk)
    context = {
        "statement": statement,
        "summary": selectors.reconciliation(statement),
        "can_post": request.user.has_perm(POST),
        "stalled": services.is_stalled(statement),
    }
    if is_htmx(request):
        response = render(request, "loans/statements/_progress.html", context)
        if not statement.is_active:
            response["HX-Refresh"] = "true"  # finished: reload to show the lines
        return response
    filters = {"result": request.GET.get("result", "").strip(), "q": request.GET.get("q", "").strip()}
    sorts = {"line": "line_no", "amount": "amount", "result": "result"}
    listing = paginate(request, selectors.filter_lines(statement, **filters), sorts=sorts, default_sort="line")
    context |= {
        "listing": listing,
        "page_obj": listing.page_obj,
        "lines": selectors.with_reasons(listing.rows),
        "filters": filters,
        "results": MatchResult.choices,
        "earlier": list(selectors.earlier_uploads(statement)[:3]),
        "preview": selectors.preview(statement) if statement.status == ImportStatus.PENDING else [],
    }
    return render(request, "loans/statements/detail.html", context)


@perm_required(POST)
@require_POST
def statement_start(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.access_statement(request.user, pk)
    try:
        services.statement_start(actor=request.user, statement_id=statement.pk, request=request)
    except DomainError as exc:
        messages.error(request, exc.summary())
    else:
        messages.success(request, _("The statement is being posted; this page shows its progress."))
    return redirect("loans:statement_detail", pk=statement.pk)


@perm_required(VIEW)
@require_GET
def statement_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    statement = selectors.access_statement(request.user, pk)
    return exports.unposted_lines_response(
        actor=request.user, statement=statement, result=request.GET.get("result", MatchResult.UNMATCHED),
        q=request.GET.get("q", "").strip(), request=request,
    )  # fmt: skip
