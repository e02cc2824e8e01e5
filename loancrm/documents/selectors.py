"""Reads for the documents pages: the application in the viewer's scope, its files, requests and OCR result."""

from __future__ import annotations

from typing import Any

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.principal import is_customer
from loancrm.core.masking import mask
from loancrm.documents.choices import DocType, ReadingStatus
from loancrm.documents.models import CorrectionRequest, Document, IdCardReading
from loancrm.documents.services import open_corrections, type_label

OCR_FIELDS = ("name", "gender", "ethnicity", "birth_date", "address", "id_number", "authority", "validity")
MASKED_FIELDS = {"id_number": "id_number", "address": "address"}
SEVERITY_CLASS = {"error": "danger", "warning": "warning", "info": "secondary"}


def documents_of(application: Application) -> list[Document]:
    """Every file of the application: in the product checklist's order, current before older, newest first."""
    listed = [item["type"] for item in application.product_version.documents or []]
    order = {t: n for n, t in enumerate(listed + [t for t in DocType.values if t not in listed])}
    rows = Document.objects.filter(application=application).select_related("uploaded_by", "rejected_by")
    newest_first = sorted(rows, key=lambda d: d.created_at, reverse=True)
    return sorted(newest_first, key=lambda d: (order.get(d.doc_type, 99), d.status != "current"))


def corrections_of(application: Application) -> list[dict[str, Any]]:
    from loancrm.documents.corrections import outstanding_types

    rows = []
    for correction in CorrectionRequest.objects.filter(application=application).select_related("created_by"):
        outstanding = set(outstanding_types(correction)) if correction.is_open else set()
        items = [
            {**item, "label": type_label(item["doc_type"]), "done": item["doc_type"] not in outstanding}
            for item in correction.items
        ]
        rows.append({"request": correction, "items": items})
    return rows


def upload_types(application: Application, viewer: Any = None) -> list[tuple[str, str]]:
    """The types an upload may name now: all of them on a draft; else those an open correction request lists."""
    if application.status == Status.DRAFT:
        listed = [item["type"] for item in application.product_version.documents or []]
        ordered = listed + [t for t in DocType.values if t not in listed]
        return [(t, type_label(t)) for t in ordered]
    wanted = {t for row in open_corrections(application) for t in row.doc_types}
    return [(t, type_label(t)) for t in DocType.values if t in wanted]


def reading_view(reading: IdCardReading | None, *, masked: bool = True) -> dict[str, Any] | None:
    """The reading as the pages show it: each field with its confidence and findings, findings as messages."""
    if reading is None:
        return None
    from loancrm.ocr.messages import field_label, finding_message

    data = reading.data
    values, confidence = data.get("fields") or {}, data.get("confidence") or {}
    threshold = float(data.get("threshold") or 0.9)
    findings = [
        {
            "severity": f.get("severity", ""),
            "css": SEVERITY_CLASS.get(f.get("severity", ""), "secondary"),
            "field": f.get("field", ""),
            "message": finding_message(f.get("code", ""), f.get("params") or {}, f.get("field", "")),
        }
        for f in data.get("findings") or []
    ]
    rows = []
    for name in OCR_FIELDS:
        value = values.get(name)
        if value and masked and name in MASKED_FIELDS:
            value = mask(MASKED_FIELDS[name], value)
        score = confidence.get(name)
        own = [f for f in findings if f["field"] == name and f["severity"] != "info"]
        rows.append({"name": name, "label": field_label(name), "value": value, "confidence": score,
                     "low": score is not None and score < threshold, "findings": own})  # fmt: skip
    return {
        "reading": reading,
        "done": reading.status == ReadingStatus.DONE,
        "pending": reading.status in (ReadingStatus.QUEUED, ReadingStatus.RUNNING),
        "rows": rows,
        "findings": findings,
        "flagged_fields": {f["field"] for f in findings if f["severity"] != "info"},
    }


def viewer_can(viewer: Any, perm: str) -> bool:
    return not is_customer(viewer) and bool(viewer.has_perm(perm))
