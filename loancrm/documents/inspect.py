"""What an uploaded file really is, read from its bytes (never from the client's name or claimed type). Pure: no
Django.

``inspect_file`` sniffs the leading bytes (JPEG, PNG, PDF only), then opens the file: an image must decode with
Pillow (dimensions taken after EXIF rotation; decompression bombs refused); a PDF must open with pypdf, not be
encrypted, and its pages are counted. A problem is a ``FileProblem`` with a stable code and its parameters.
``make_thumbnail`` draws a small JPEG: images EXIF-rotated; PDFs their first page (pypdfium2) or None.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from loancrm.documents.limits import JPEG, MAX_IMAGE_PIXELS, PDF, PNG

THUMB_SIZE = (320, 320)
SIGNATURES = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))


class FileProblem(Exception):
    def __init__(self, code: str, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(code)


@dataclass(frozen=True)
class Inspected:
    content_type: str
    width: int | None = None
    height: int | None = None
    pages: int = 1
    notes: dict[str, object] = field(default_factory=dict)


def sniff(head: bytes) -> str | None:
    """The content type the leading bytes announce, or None for anything but JPEG, PNG and PDF."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def inspect_file(data: bytes) -> Inspected:
    content_type = sniff(data[:16])
    if content_type is None:
        raise FileProblem("unsupported_type")
    if content_type == PDF:
        return Inspected(PDF, pages=_pdf_pages(data))
    width, height = _image_size(data, content_type)
    return Inspected(content_type, width=width, height=height)


def _image_size(data: bytes, content_type: str) -> tuple[int, int]:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != {JPEG: "JPEG", PNG: "PNG"}[content_type]:
                    raise FileProblem("broken_image")
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise FileProblem("image_too_large", pixels=image.width * image.height)
                image.load()
                upright = ImageOps.exif_transpose(image)
                return upright.width, upright.height
    except FileProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileProblem("image_too_large") from None
    except Exception:  # Pillow raises many types for damaged data
        raise FileProblem("broken_image") from None


def _pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileProblem("pdf_encrypted")
        pages = len(reader.pages)
    except FileProblem:
        raise
    except Exception:  # pypdf raises many types for damaged files
        raise FileProblem("pdf_broken") from None
    if pages < 1:
        raise FileProblem("pdf_broken")
    return pages


def make_thumbnail(data: bytes, content_type: str) -> bytes | None:
    """A JPEG of at most ``THUMB_SIZE``: the upright image, or the first page of a PDF; None when none can be made."""
    from PIL import Image, ImageOps

    try:
        if content_type == PDF:
            image = _pdf_first_page(data)
            if image is None:
                return None
        else:
            image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        image = image.convert("RGB")
        image.thumbnail(THUMB_SIZE)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
        return out.getvalue()
    except Exception:  # a thumbnail is a convenience: a file that passed inspection is kept without one
        return None


def _pdf_first_page(data: bytes) -> Any:
    try:
        import pypdfium2
    except ImportError:
        return None
    pdf = pypdfium2.PdfDocument(data)
    try:
        page = pdf[0]
        width = page.get_width() or 1
        bitmap = page.render(scale=THUMB_SIZE[0] * 2 / width)
        return bitmap.to_pil()
    finally:
        pdf.close()
