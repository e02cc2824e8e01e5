"""The customer's H5 documents page: the checklist, uploads (camera capture), open correction requests with their
reasons, and the ID card as read by OCR for the customer to confirm; the customer's own files and thumbnails."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from loancrm.applications.h5_session import h5_login_required
from loancrm.applications.selectors import access_application
from loancrm.core.errors import DomainError, NotFound
from loancrm.documents import selectors, services
from loancrm.documents.readings import latest_reading
from loancrm.documents.views import serve


@require_http_methods(["GET", "POST"])
@h5_login_required
def upload(request: HttpRequest, principal: Any, pk: int) -> HttpResponse:
    try:
        application = access_application(principal, pk)
    except NotFound as exc:
        raise Http404 from exc
    if request.method == "POST":
        doc_type = request.POST.get("doc_type", "")
        upload_file = request.FILES.get("file")
        if upload_file is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            try:
                services.document_upload(actor=principal, application_id=application.pk, doc_type=doc_type,
                                         file=upload_file, request=request)  # fmt: skip
                messages.success(request, _("Uploaded: %(type)s.") % {"type": services.type_label(doc_type)})
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                messages.error(request, exc.summary())
        return redirect("documents_h5:upload", pk=application.pk)
    allowed = {t for t, _label in selectors.upload_types(application)}
    context = {
        "application": application,
        "checklist": services.checklist(application),
        "allowed": allowed,
        "corrections": [row for row in selectors.corrections_of(application) if row["request"].is_open],
        "ocr": selectors.reading_view(latest_reading(application), masked=True),
    }
    return render(request, "documents/h5/upload.html", context)


@require_GET
@h5_login_required
def document_file(request: HttpRequest, principal: Any, pk: int) -> Any:  # a FileResponse
    return serve(request, principal, pk, thumbnail=False)


@require_GET
@h5_login_required
def document_thumbnail(request: HttpRequest, principal: Any, pk: int) -> Any:  # a FileResponse
    return serve(request, principal, pk, thumbnail=True)
