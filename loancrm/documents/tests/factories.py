"""Files for document tests (real JPEG, PNG and PDF bytes made on the fly) and applications with a checklist."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from loancrm.applications.tests.factories import make_application, make_customer, make_version

CHECKLIST = [
    {"type": "id_front", "required": True},
    {"type": "id_back", "required": True},
    {"type": "income_proof", "required": True},
    {"type": "bank_card", "required": False},
]


def image_bytes(width: int = 640, height: int = 400, fmt: str = "JPEG", colour: tuple[int, int, int] = (90, 120, 200),
                exif_orientation: int | None = None) -> bytes:  # fmt: skip
    from PIL import Image

    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, format=fmt, exif=exif.tobytes())
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _n in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg(name: str = "photo.jpg", **kwargs: Any) -> SimpleUploadedFile:
    return upload(image_bytes(**kwargs), name)


def png(name: str = "scan.png", **kwargs: Any) -> SimpleUploadedFile:
    return upload(image_bytes(fmt="PNG", **kwargs), name, "image/png")


def pdf(name: str = "statement.pdf", **kwargs: Any) -> SimpleUploadedFile:
    return upload(pdf_bytes(**kwargs), name, "application/pdf")


def make_documents_application(owner: Any, *, customer: Any = None, **values: Any) -> Any:
    version = make_version("DOCS", documents=CHECKLIST)
    customer = customer or make_customer(owner)
    return make_application(owner, customer, version, **values)
