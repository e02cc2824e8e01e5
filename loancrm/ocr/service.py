"""Read and check an ID card from its images: what the document background task calls.

``recognise_id_card`` runs OCR on the front and (when given) the back, tells which side each image shows (two
images given the wrong way round are read the right way round, noted as ``sides_swapped``), parses the fields,
runs ``checks.check_card`` and returns an ``IdCardResult``. It writes nothing; ``as_dict()`` is the JSON to store.
The result holds the card's personal data in plain text: store it encrypted like any other PII.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from loancrm.ocr.checks import DEFAULT_THRESHOLD, Finding, check_card, needs_review
from loancrm.ocr.engine import read_lines
from loancrm.ocr.idcard import BackSide, Side, detect_side, parse_back, parse_front
from loancrm.ocr.lines import OcrLine

__all__ = ["FIELDS", "IdCardResult", "recognise_id_card", "result_from_lines"]

FIELDS = ("name", "gender", "ethnicity", "birth_date", "address", "id_number", "authority", "validity")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class IdCardResult:
    fields: dict[str, str | None]
    confidence: dict[str, float | None]
    findings: list[Finding]
    needs_review: bool
    elapsed_ms: float
    sides: dict[str, Side] = field(default_factory=dict)
    threshold: float = DEFAULT_THRESHOLD

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "fields": dict(self.fields),
            "confidence": dict(self.confidence),
            "findings": [finding.as_dict() for finding in self.findings],
            "needs_review": self.needs_review,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "sides": dict(self.sides),
            "threshold": self.threshold,
        }


def result_from_lines(
    front_lines: list[OcrLine],
    back_lines: list[OcrLine] | None,
    *,
    entered_name: str | None,
    entered_id_number: str | None,
    today: date,
    threshold: float = DEFAULT_THRESHOLD,
    started: float | None = None,
) -> IdCardResult:
    """Everything after OCR (side detection, parsing, checks), on lines already read. Pure."""
    started = time.perf_counter() if started is None else started
    sides: dict[str, Side] = {"front": detect_side(front_lines)}
    extra: list[Finding] = []
    if back_lines is not None:
        sides["back"] = detect_side(back_lines)
        if sides["front"] == "back" and sides["back"] == "front":
            front_lines, back_lines = back_lines, front_lines
            extra.append(Finding("sides_swapped", "info"))
    front = parse_front(front_lines)
    back: BackSide | None = parse_back(back_lines) if back_lines is not None else None
    findings = _side_findings(sides) + extra
    findings += check_card(
        front,
        back,
        today=today,
        entered_name=entered_name,
        entered_id_number=entered_id_number,
        threshold=threshold,
    )
    values: dict[str, str | None] = dict.fromkeys(FIELDS)
    confidence: dict[str, float | None] = dict.fromkeys(FIELDS)
    read = front.fields() | (back.fields() if back is not None else {})
    for name, value in read.items():
        if value is not None:
            values[name], confidence[name] = value.value, round(value.confidence, 4)
    return IdCardResult(
        fields=values,
        confidence=confidence,
        findings=findings,
        needs_review=needs_review(findings),
        elapsed_ms=(time.perf_counter() - started) * 1000,
        sides=sides,
        threshold=threshold,
    )


def _side_findings(sides: dict[str, Side]) -> list[Finding]:
    """A front image that is not recognisably a front (or back, a back) is worth a look unless simply swapped."""
    if sides.get("front") == "back" and sides.get("back") == "front":
        return []
    found = []
    for image, side in sides.items():
        if side != image:
            found.append(Finding("wrong_side", "warning", image, {"detected": side}))
    return found


def recognise_id_card(
    front: bytes,
    back: bytes | None,
    *,
    entered_name: str | None,
    entered_id_number: str | None,
    today: date,
    threshold: float = DEFAULT_THRESHOLD,
) -> IdCardResult:
    """OCR, parse and check an ID card. ``UnreadableImage`` when either image cannot be decoded."""
    started = time.perf_counter()
    front_lines = read_lines(front)
    back_lines = read_lines(back) if back is not None else None
    return result_from_lines(
        front_lines,
        back_lines,
        entered_name=entered_name,
        entered_id_number=entered_id_number,
        today=today,
        threshold=threshold,
        started=started,
    )
