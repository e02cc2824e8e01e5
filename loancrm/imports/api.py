"""Lead imports over the API: upload, read with preview, map, start or resume, list, rejected rows.

Same selectors and services as the pages: every import is fetched through ``access_import`` first, so an import
outside the caller's scope is the same 404 as a missing one. Tokens need "read" to read and "leads:write" to
upload, map or start (an import creates leads).
"""

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, UploadedFile
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.pagination import PageNumberPagination
from loancrm.imports import rejects, selectors, services
from loancrm.imports.mapping import guess_mapping
from loancrm.imports.models import LeadImport
from loancrm.imports.schemas import ImportDetailOut, ImportFilters, ImportOut, MappingIn, UploadIn, import_detail_out

API_PREFIX = "/imports"
router = Router(tags=["imports"])
VIEW, ADD = "imports.view_leadimport", "imports.add_leadimport"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _detail(lead_import: LeadImport) -> Any:
    preview = selectors.preview_rows(lead_import) if lead_import.mapping_open else []
    return import_detail_out(
        lead_import, guessed=guess_mapping(lead_import.headers), choices=selectors.field_choices(), preview=preview
    )


@router.post(
    "", response={201: ImportDetailOut}, auth=authorized(ADD),
    summary="Upload a lead file (.xlsx or .csv, multipart) and guess its column mapping",
)  # fmt: skip
def upload_import(request: HttpRequest, file: File[UploadedFile], payload: Form[UploadIn]) -> Any:
    require_scope(request, "leads:write")
    lead_import = services.import_upload(
        actor=request.user, upload=file, channel_id=selectors.channel_id(payload.channel), campaign=payload.campaign,
        request=request,
    )  # fmt: skip
    return 201, _detail(lead_import)


@router.get("", response=list[ImportOut], auth=authorized(VIEW), summary="Lead imports visible to the caller")
@paginate(PageNumberPagination)
def list_imports(request: HttpRequest, filters: Query[ImportFilters]) -> Any:
    require_scope(request, "read")
    qs = selectors.imports_visible_to(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-created_at", "-id")


@router.get(
    "/{import_id}", response=ImportDetailOut, auth=authorized(VIEW),
    summary="One import: status, counts, progress, headers, mapping and (while mapping) a preview",
)  # fmt: skip
def get_import(request: HttpRequest, import_id: int) -> Any:
    require_scope(request, "read")
    return _detail(selectors.access_import(request.user, import_id))


@router.put(
    "/{import_id}/mapping", response=ImportDetailOut, auth=authorized(ADD),
    summary="Set the column mapping (uploaded or mapped imports)",
)  # fmt: skip
def set_mapping(request: HttpRequest, import_id: int, payload: MappingIn) -> Any:
    require_scope(request, "leads:write")
    lead_import = selectors.access_import(request.user, import_id)
    lead_import = services.import_map(actor=request.user, lead_import_id=lead_import.pk, mapping=list(payload.mapping),
                        request=request)  # fmt: skip
    return _detail(lead_import)


@router.post(
    "/{import_id}/start", response={202: ImportOut}, auth=authorized(ADD),
    summary="Start a mapped import, or resume a failed or stalled one from its last committed chunk",
)  # fmt: skip
def start_import(request: HttpRequest, import_id: int) -> Any:
    require_scope(request, "leads:write")
    lead_import = selectors.access_import(request.user, import_id)
    return 202, services.import_start(actor=request.user, lead_import_id=lead_import.pk, request=request)


@router.get(
    "/{import_id}/rejected.xlsx", auth=authorized(VIEW),
    response={200: None}, openapi_extra={"responses": {200: {"description": "The rejected rows with the reason per row",
                                                             "content": {XLSX: {}}}}},
    summary="Download the rejected rows (.xlsx): row number, reason, then the file's own columns",
)  # fmt: skip
def rejected_rows(request: HttpRequest, import_id: int) -> Any:
    require_scope(request, "read")
    lead_import = selectors.access_import(request.user, import_id)
    return rejects.rejected_rows_response(actor=request.user, lead_import=lead_import, request=request)
