"""API schemas of lead imports: the list row, the detail (mapping and preview) and the inputs.

Invariants: preview values of the mobile and ID number are masked exactly as the mapping page shows them; a
mapping names only lead fields an import can feed ("" ignores the column).
"""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from loancrm.core.masking import mask

FieldName = Literal[
    "", "name", "mobile", "id_number", "city", "desired_amount", "desired_product", "campaign", "external_id"
]
MASKED_FIELDS = ("mobile", "id_number")
STATUS_PATTERN = "^(|uploaded|mapped|running|done|failed)$"


class ImportFields(Schema):
    id: int
    number: str = Field(..., description="I + 6 digits, as the pages show it")
    file_name: str
    file_kind: str = Field(..., description="xlsx | csv")
    file_size: int
    sha256: str
    channel: str = Field(..., description="channel code")
    campaign: str
    status: str = Field(..., description="uploaded | mapped | running | done | failed")
    stalled: bool = Field(..., description="running, but its worker stopped: it may be resumed")
    row_count: int
    rows_done: int
    percent: int
    created_count: int
    duplicate_count: int
    invalid_count: int
    prefilter_invalid_count: int
    rejected_count: int = Field(..., description="invalid + duplicate rows, the rows of the rejected-rows file")
    error: str
    job_run_id: int | None
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class ImportOut(ImportFields):
    """An import row read from the model."""

    @staticmethod
    def resolve_number(obj: Any) -> str:
        return str(obj)

    @staticmethod
    def resolve_channel(obj: Any) -> str:
        return str(obj.channel.code)

    @staticmethod
    def resolve_stalled(obj: Any) -> bool:
        return bool(obj.is_stalled)

    @staticmethod
    def resolve_created_by(obj: Any) -> str:
        return str(obj.created_by.username)


class FieldChoiceOut(Schema):
    name: str
    label: str


class PreviewRowOut(Schema):
    number: int = Field(..., description="the row number in the spreadsheet (header = 1)")
    values: dict[str, str] = Field(..., description="mapped field → cell; mobile and ID number masked")
    problem: str = Field(..., description="why the row would be rejected; empty when it is fine")


class ImportDetailOut(ImportFields):
    headers: list[str]
    mapping: list[str] = Field(..., description='current mapping: one lead field (or "") per header')
    guessed_mapping: list[str] = Field(..., description="the mapping recognised from the headers at upload")
    mapping_open: bool = Field(..., description="the mapping can still be changed (uploaded or mapped)")
    fields: list[FieldChoiceOut] = Field(..., description="the lead fields a column can feed")
    preview: list[PreviewRowOut] = Field(..., description="the first 10 rows under the mapping, while it is open")


def import_detail_out(lead_import: Any, *, guessed: list[str], choices: list[Any], preview: list[Any]) -> Any:
    """The detail document of an (already authorised) import; ``preview`` rows as ``selectors.preview_rows``."""
    return {
        **ImportOut.from_orm(lead_import).dict(),
        "headers": lead_import.headers,
        "mapping": lead_import.mapping,
        "guessed_mapping": guessed,
        "mapping_open": lead_import.mapping_open,
        "fields": [{"name": name, "label": str(label)} for name, label in choices],
        "preview": [
            {
                "number": row["number"],
                "values": {
                    name: mask(name, value) if name in MASKED_FIELDS else value for name, value in row["values"]
                },
                "problem": row["problem"],
            }
            for row in preview
        ],
    }


class ImportFilters(Schema):
    status: str = Field("", pattern=STATUS_PATTERN)


class UploadIn(Schema):
    channel: str = Field(..., min_length=1, max_length=40, description="channel code")
    campaign: str = Field("", max_length=80, description="for every row without a campaign column value")


class MappingIn(Schema):
    mapping: list[FieldName] = Field(..., max_length=500, description='one lead field (or "") per header')
