"""API shapes of documents: file metadata (never the content), the checklist, correction requests."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class DocumentOut(Schema):
    id: int
    doc_type: str
    status: str
    content_type: str
    size: int
    pages: int
    width: int | None
    height: int | None
    sha256: str
    uploaded_by_customer: bool
    created_at: dt.datetime


class ChecklistItemOut(Schema):
    doc_type: str
    label: str
    required: bool
    present: bool
    count: int
    max_files: int
    status: str


class ApplicationDocumentsOut(Schema):
    application_id: int
    complete: bool
    checklist: list[ChecklistItemOut]
    documents: list[DocumentOut]


class CorrectionItemIn(Schema):
    doc_type: str = Field(max_length=20)
    reason: str = Field(max_length=200)


class CorrectionIn(Schema):
    items: list[CorrectionItemIn] = Field(max_length=10)
    message: str = Field("", max_length=500)
    due_date: dt.date | None = None


class CorrectionOut(Schema):
    id: int
    status: str
    items: list[CorrectionItemIn]
    message: str
    due_date: dt.date | None
    created_at: dt.datetime
