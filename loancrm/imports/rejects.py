"""The rejected rows of an import as a spreadsheet: the original cells, the row number and a reason.

Invariants: reasons are worked out when the file is downloaded, in the downloader's language (field errors from
``clean_lead``; a duplicate says only that the lead exists, never who owns it); cells are escaped against
formulas by ``core.exports``; the download is permission-checked and audited there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from loancrm.core.exports import Column, export_response
from loancrm.imports.models import LeadImport, RejectedRow
from loancrm.imports.processing import data_rows, raw_lead
from loancrm.leads.models import Lead
from loancrm.leads.services import clean_lead

LABELS = {"name": _lazy("Full name")}  # the model's "name" reads as a thing's name in Chinese (名称)


def field_label(name: str) -> Any:
    """The translatable label of a lead field as the import pages and files show it."""
    return LABELS.get(name) or getattr(Lead._meta.get_field(name), "verbose_name", name)


def row_reason(kind: str, raw: dict[str, Any]) -> str:
    """Why a row was rejected, in the active language."""
    if kind == RejectedRow.Kind.DUPLICATE:
        return _("Duplicate: an existing lead")
    _clean, errors = clean_lead(raw)
    parts = [
        _("%(field)s: %(message)s") % {"field": field_label(name), "message": " ".join(msgs)}
        for name, msgs in errors.items()
    ]
    return "; ".join(parts) or _("Invalid")


def rejected_rows(lead_import: LeadImport) -> Iterator[tuple[int, str, list[str]]]:
    """(row number, reason, cells) of every rejected row, in file order."""
    kinds = dict(lead_import.rejected_rows.values_list("row_number", "kind"))
    if not kinds:
        return
    for number, cells in data_rows(lead_import):
        kind = kinds.get(number)
        if kind is not None:
            yield number, row_reason(kind, raw_lead(lead_import, cells)), cells


def _cell(index: int) -> Any:
    return lambda row: row[2][index] if index < len(row[2]) else ""


def rejected_rows_response(
    *, actor: Any, lead_import: LeadImport, request: HttpRequest | None = None
) -> StreamingHttpResponse | FileResponse:
    """The .xlsx download of the rejected rows (row number, reason, then the file's own columns)."""
    columns = [Column(_("Row"), lambda row: row[0]), Column(_("Reason"), lambda row: row[1])]
    columns += [Column(header or f"#{i + 1}", _cell(i)) for i, header in enumerate(lead_import.headers)]
    return export_response(
        actor=actor, name=f"import-{lead_import.pk}-rejected", columns=columns, rows=rejected_rows(lead_import),
        row_count=lead_import.rejected_rows.count(), fmt="xlsx", request=request,
        filters={"lead_import": lead_import.pk}, permission="imports.view_leadimport",
    )  # fmt: skip
