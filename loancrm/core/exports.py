"""The one way data leaves the system as a file: CSV or XLSX, permission-checked, audited, masked, escaped.

Invariants: the caller needs the export permission; personal-data columns are masked unless the user holds the
column's reveal permission; a cell starting with = + - @ (or a tab / carriage return) is prefixed with ' so no
spreadsheet evaluates it; at most ``MAX_ROWS`` rows; the audit event (what, how many rows, masked or not) is
written before the first byte is sent; CSV is streamed, XLSX is built in a temporary file in write-only mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.core.masking import mask

MAX_ROWS = 200_000
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_PERMISSION = "accounts.export_data"


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[Any], Any]
    pii_kind: str | None = None
    reveal_permission: str = "accounts.reveal_pii"


def escape_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas; numbers and dates pass through unchanged."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal, dt.date)):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def _cells(row: Any, columns: list[Column], reveal: list[bool]) -> list[Any]:
    cells = []
    for column, show in zip(columns, reveal, strict=True):
        value = column.value(row)
        if column.pii_kind and not show:
            value = mask(column.pii_kind, None if value is None else str(value))
        cells.append(escape_cell(value))
    return cells


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_response(
    *,
    actor: Any,
    name: str,
    columns: list[Column],
    rows: Iterable[Any],
    row_count: int,
    fmt: str,
    request: HttpRequest | None = None,
    filters: dict[str, Any] | None = None,
    permission: str = EXPORT_PERMISSION,
) -> StreamingHttpResponse | FileResponse:
    """Check, audit, and return the file response for ``rows`` (an iterator; ``row_count`` rows in all)."""
    if not actor.has_perm(permission):
        raise PermissionDenied()
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed(fields={"format": [_("Choose CSV or Excel.")]})
    if row_count > MAX_ROWS:
        raise ValidationFailed(
            fields={"__all__": [_("At most %(max)d rows can be exported; narrow the filters.") % {"max": MAX_ROWS}]}
        )
    reveal = [bool(c.pii_kind) and actor.has_perm(c.reveal_permission) for c in columns]
    with transaction.atomic():
        audit_event(
            actor, "data.exported", None,
            {"export": name, "format": fmt, "rows": row_count, "filters": filters or {},
             "unmasked_columns": [str(c.header) for c, shown in zip(columns, reveal, strict=True) if shown]},
            request,
        )  # fmt: skip
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    filename = f"{name}-{stamp}.{fmt}"
    headers = [str(c.header) for c in columns]
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream() -> Iterator[str]:
            yield "\ufeff" + writer.writerow(headers)
            for row in rows:
                yield writer.writerow(_cells(row, columns, reveal))

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(_cells(row, columns, reveal))
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
        workbook.save(handle)
        handle.seek(0)
        response = FileResponse(
            handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
