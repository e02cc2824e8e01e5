"""Upload limits per document type. Pure: no Django.

Every type: at most ``MAX_BYTES``; images at least ``MIN_IMAGE_SIDE`` px on each side; PDFs at most
``MAX_PDF_PAGES`` pages. ``MAX_FILES`` is how many current files a type may hold; a type with one file is replaced
(the old file superseded, kept) by a new upload; a type with more is refused once full.
"""

from __future__ import annotations

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
IMAGES = (JPEG, PNG)
ANY_KIND = (JPEG, PNG, PDF)

MAX_BYTES = 10 * 1024 * 1024
MIN_IMAGE_SIDE = 300
MAX_IMAGE_PIXELS = 40_000_000
MAX_PDF_PAGES = 20

MAX_FILES: dict[str, int] = {
    "id_front": 1,
    "id_back": 1,
    "bank_card": 1,
    "credit_report": 1,
    "income_proof": 5,
    "social_security": 3,
    "provident_fund": 3,
}
# ID sides and bank cards are photographed (and read by OCR): images only.
KINDS: dict[str, tuple[str, ...]] = {
    "id_front": IMAGES,
    "id_back": IMAGES,
    "bank_card": IMAGES,
    "credit_report": ANY_KIND,
    "income_proof": ANY_KIND,
    "social_security": ANY_KIND,
    "provident_fund": ANY_KIND,
}
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}


def max_files(doc_type: str) -> int:
    return MAX_FILES.get(doc_type, 1)


def is_single(doc_type: str) -> bool:
    return max_files(doc_type) == 1


def kinds(doc_type: str) -> tuple[str, ...]:
    return KINDS.get(doc_type, ANY_KIND)
