"""Back-office document pages: the application's documents (checklist, files, viewer, OCR result), upload, reject,
correction requests, and the audited file and thumbnail responses. Thin: parse, call one service or selector."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loancrm.applications.selectors import access_application
from loancrm.core.errors import DomainError, NotFound
from loancrm.core.htmx import is_htmx
from loancrm.core.permissions import perm_required
from loancrm.documents import corrections, selectors, services
from loancrm.documents.choices import DocType
from loancrm.documents.readings import latest_reading


def _application(request: HttpRequest, pk: int) -> Any:
    try:
        return access_application(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc


def page_context(request: HttpRequest, application: Any, **extra: Any) -> dict[str, Any]:
    user = request.user
    items = services.checklist(application)
    required = [item for item in items if item.required]
    context: dict[str, Any] = {
        "application": application,
        "checklist": items,
        "required_total": len(required),
        "required_present": sum(1 for item in required if item.present),
        "complete": all(item.present for item in required),
        "documents": selectors.documents_of(application),
        "corrections": selectors.corrections_of(application),
        "upload_types": selectors.upload_types(application) if user.has_perm("documents.add_document") else [],
        "can_reject": selectors.viewer_can(user, "documents.reject_document"),
        "can_request": selectors.viewer_can(user, "documents.add_correctionrequest"),
        "all_types": DocType.choices,
        "ocr": selectors.reading_view(latest_reading(application)),
        "default_due": dt.date.today() + dt.timedelta(days=corrections.DEFAULT_DUE_DAYS),
    }
    return context | extra


@perm_required("documents.view_document")
@require_GET
def application_documents(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    return render(request, "documents/application.html", page_context(request, application))


def _panel_or_redirect(request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
    if is_htmx(request):
        application = _application(request, pk)
        return render(request, "documents/partials/panel.html", page_context(request, application, **extra))
    for error in extra.get("upload_errors", []):
        messages.error(request, error)
    return redirect("documents:application_documents", pk=pk)


@perm_required("documents.add_document")
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    upload_file = request.FILES.get("file")
    doc_type = request.POST.get("doc_type", "")
    if upload_file is None:
        return _panel_or_redirect(request, pk, upload_errors=[_("Choose a file to upload.")], chosen_type=doc_type)
    try:
        services.document_upload(actor=request.user, application_id=pk, doc_type=doc_type, file=upload_file,
                                 request=request)  # fmt: skip
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        return _panel_or_redirect(request, pk, upload_errors=[exc.summary()], chosen_type=doc_type)
    messages.success(request, _("Uploaded: %(type)s.") % {"type": services.type_label(doc_type)})
    return _panel_or_redirect(request, pk)


@perm_required("documents.reject_document")
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        document = services.document_reject(actor=request.user, document_id=pk, reason=request.POST.get("reason", ""),
                                            request=request)  # fmt: skip
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.summary())
        application_id = services.Document.objects.filter(pk=pk).values_list("application_id", flat=True).first()
        return redirect("documents:application_documents", pk=application_id) if application_id else redirect("/")
    messages.success(request, _("Rejected: %(type)s.") % {"type": services.type_label(document.doc_type)})
    return redirect(reverse("documents:application_documents", args=[document.application_id]) + "#files")


def _due_date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


@perm_required("documents.add_correctionrequest")
@require_POST
def correction_create(request: HttpRequest, pk: int) -> HttpResponse:
    chosen = request.POST.getlist("doc_type")
    items = [{"doc_type": t, "reason": request.POST.get(f"reason_{t}", "")} for t in chosen]
    try:
        corrections.correction_request_create(
            actor=request.user, application_id=pk, items=items, message=request.POST.get("message", ""),
            due_date=_due_date(request.POST.get("due_date", "")), request=request,
        )  # fmt: skip
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.summary())
        return redirect(reverse("documents:application_documents", args=[pk]) + "#corrections")
    messages.success(request, _("The correction request was sent to the customer."))
    return redirect(reverse("documents:application_documents", args=[pk]) + "#corrections")


@perm_required("documents.add_correctionrequest")
@require_POST
def correction_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = corrections.correction_request_cancel(actor=request.user, correction_id=pk, request=request)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        raise PermissionDenied from exc
    messages.success(request, _("The correction request was cancelled."))
    return redirect(reverse("documents:application_documents", args=[row.application_id]) + "#corrections")


def file_response(opened: services.OpenedFile, *, download: bool = False) -> FileResponse:
    response = FileResponse(opened.handle, as_attachment=download, filename=opened.filename,
                            content_type=opened.content_type)  # fmt: skip
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    if opened.content_type.startswith("image/"):
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


def serve(request: HttpRequest, actor: Any, pk: int, *, thumbnail: bool) -> FileResponse:
    try:
        opened = services.document_open(actor=actor, document_id=pk, request=request, thumbnail=thumbnail)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        raise PermissionDenied from exc
    return file_response(opened, download=request.GET.get("download") == "1")


@perm_required("documents.view_document")
@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    return serve(request, request.user, pk, thumbnail=False)


@perm_required("documents.view_document")
@require_GET
def document_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    return serve(request, request.user, pk, thumbnail=True)
