"""OCR output as plain data, and its grouping into visual rows. Pure: no Django, no OCR engine.

An ``OcrLine`` is one detected text box: its text, the recogniser's confidence (0..1) and the box's four corners
in image pixels (clockwise from top left), or ``None`` when the line did not come from an image (tests, other
engines). ``group_rows`` merges boxes that sit on the same visual line (a label and its value are often two boxes)
into ``Row``s, each keeping one confidence per character so a field's confidence is that of its own characters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["Box", "OcrLine", "Row", "group_rows", "normalise_name", "normalise_text"]

Box = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

# Separators that OCR puts between or inside words; removed before parsing.
_SPACES = dict.fromkeys(map(ord, " \t\u3000\u00a0\u200b\ufeff"))
# Middle dots of minority names (阿依古丽·买买提): every variant becomes U+00B7.
_DOTS = dict.fromkeys(map(ord, "•・‧∙⋅･."), "·")


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float
    box: Box | None = None

    @property
    def top(self) -> float:
        return min(y for _x, y in self.box) if self.box else 0.0

    @property
    def bottom(self) -> float:
        return max(y for _x, y in self.box) if self.box else 0.0

    @property
    def left(self) -> float:
        return min(x for x, _y in self.box) if self.box else 0.0

    @property
    def right(self) -> float:
        return max(x for x, _y in self.box) if self.box else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "box": [list(point) for point in self.box] if self.box else None,
        }


@dataclass(frozen=True)
class Row:
    """One visual line: normalised text (no spaces, full-width forms folded) and one confidence per character."""

    text: str
    confidences: tuple[float, ...]

    def confidence(self, start: int = 0, end: int | None = None) -> float:
        """The lowest character confidence in ``text[start:end]`` (1.0 for an empty span)."""
        span = self.confidences[start:end]
        return min(span) if span else 1.0


def normalise_text(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation to ASCII, compatibility ideographs to unified ones), then
    drop spaces of every kind."""
    return unicodedata.normalize("NFKC", text).translate(_SPACES)


def normalise_name(text: str) -> str:
    """A person's name for comparison: ``normalise_text`` plus one middle dot for every dot variant."""
    return normalise_text(text).translate(_DOTS)


def _overlap(text: str, piece: str) -> int:
    """The length of the longest suffix of ``text`` that is a prefix of ``piece``."""
    for size in range(min(len(text), len(piece)), 0, -1):
        if text.endswith(piece[:size]):
            return size
    return 0


def _row_of(lines: list[OcrLine]) -> Row:
    """Join a row's boxes left to right. Where two boxes overlap and repeat the same characters (the detector
    sometimes cuts "姓名高" and "高丽娟" from "姓名 高丽娟"), the characters are kept once, from the surer box."""
    text = ""
    confidences: list[float] = []
    previous: OcrLine | None = None
    for line in sorted(lines, key=lambda item: item.left):
        piece = normalise_text(line.text)
        repeated = _overlap(text, piece) if previous is not None and line.left < previous.right else 0
        if repeated and previous is not None and previous.confidence < line.confidence:
            text, confidences = text[:-repeated], confidences[:-repeated]
        elif repeated:
            piece = piece[repeated:]
        text += piece
        confidences += [line.confidence] * len(piece)
        previous = line
    return Row(text, tuple(confidences))


def group_rows(lines: list[OcrLine]) -> list[Row]:
    """Rows top to bottom; boxes whose vertical centres lie within half a box height of a row's first box join it
    (left to right). Lines without a box each make their own row, in the given order."""
    if not all(line.box for line in lines):
        return [_row_of([line]) for line in lines if normalise_text(line.text)]
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: (item.top + item.bottom) / 2):
        centre, height = (line.top + line.bottom) / 2, line.bottom - line.top
        if rows:
            anchor = rows[-1][0]
            anchor_centre, anchor_height = (anchor.top + anchor.bottom) / 2, anchor.bottom - anchor.top
            if abs(centre - anchor_centre) <= max(height, anchor_height) / 2:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [row for row in (_row_of(group) for group in rows) if row.text]
