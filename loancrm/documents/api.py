"""Documents over the JSON API: the application's checklist and files (metadata), upload (multipart), the audited
file download, and correction requests. Same services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.applications.selectors import access_application
from loancrm.documents import corrections, selectors, services
from loancrm.documents.schemas import ApplicationDocumentsOut, CorrectionIn, CorrectionOut, DocumentOut

API_PREFIX = "/documents"
router = Router(tags=["documents"])


@router.get(
    "/applications/{application_id}",
    response=ApplicationDocumentsOut,
    auth=authorized("documents.view_document"),
    summary="An application's document checklist and files",
)
def application_documents(request: HttpRequest, application_id: int) -> Any:
    require_scope(request, "read")
    application = access_application(request.user, application_id)
    items = services.checklist(application)
    checklist = [
        {
            "doc_type": i.doc_type,
            "label": i.label,
            "required": i.required,
            "present": i.present,
            "count": i.count,
            "max_files": i.max_files,
            "status": i.status,
        }
        for i in items
    ]
    return {
        "application_id": application.pk,
        "complete": all(i.present for i in items if i.required),
        "checklist": checklist,
        "documents": selectors.documents_of(application),
    }


@router.post(
    "/applications/{application_id}",
    response={201: DocumentOut},
    auth=authorized("documents.add_document"),
    summary="Upload a document (multipart: doc_type, file)",
)
def upload(request: HttpRequest, application_id: int, doc_type: Form[str], file: File[UploadedFile]) -> Any:
    require_scope(request, "*")
    document = services.document_upload(
        actor=request.user, application_id=application_id, doc_type=doc_type, file=file, request=request
    )
    return 201, document


@router.get(
    "/{document_id}/file", auth=authorized("documents.view_document"), summary="Download a document's file (audited)"
)
def download(request: HttpRequest, document_id: int) -> FileResponse:
    require_scope(request, "read")
    opened = services.document_open(actor=request.user, document_id=document_id, request=request)
    from loancrm.documents.views import file_response

    return file_response(opened, download=True)


@router.post(
    "/applications/{application_id}/corrections",
    response={201: CorrectionOut},
    auth=authorized("documents.add_correctionrequest"),
    summary="Ask the customer to re-upload documents",
)
def correction_create(request: HttpRequest, application_id: int, payload: CorrectionIn) -> Any:
    require_scope(request, "*")
    row = corrections.correction_request_create(
        actor=request.user,
        application_id=application_id,
        items=[item.dict() for item in payload.items],
        message=payload.message,
        due_date=payload.due_date,
        request=request,
    )
    return 201, row
