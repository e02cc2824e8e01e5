"""Demo data: documents for the first few demo applications that have none (idempotent: such an application is
skipped once it has a file). ID cards are the OCR library's synthetic cards with the customer's own name and
number (plain placeholder photos when no CJK font is installed); the back is stored before the front, so one
ID-card reading is queued per application (run by ``make worker``)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from loancrm.applications.models import Application
from loancrm.documents.models import Document
from loancrm.documents.services import document_import

DEMO_APPLICATIONS = 6
DEMO_ADDRESS = "北京市朝阳区建国路88号院3号楼2单元501室"


def _placeholder(
    text: str, size: tuple[int, int] = (856, 540), colour: tuple[int, int, int] = (226, 234, 244)
) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, size[0] - 20, size[1] - 20], outline=(120, 140, 170), width=4)
    draw.text((48, 48), text, fill=(40, 60, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _birth(id_number: str) -> dt.date:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return dt.date(1990, 1, 1)


def _id_card(customer: Any) -> tuple[bytes, bytes]:
    number = customer.id_number or ""
    try:
        from loancrm.ocr.cards import render_back, render_front

        gender = "男" if len(number) == 18 and int(number[16]) % 2 else "女"
        front = render_front(name=customer.name, gender=gender, ethnicity="汉", birth_date=_birth(number),
                             address=customer.hukou_address or DEMO_ADDRESS, id_number=number)  # fmt: skip
        back = render_back(
            authority="北京市公安局朝阳分局", valid_from=dt.date(2019, 6, 1), valid_to=dt.date(2039, 6, 1)
        )
        return front, back
    except Exception:  # no OCR library or no CJK font: plain placeholders still show the pages
        return _placeholder("ID card (front) - demo"), _placeholder("ID card (back) - demo")


def _income_pdf(pages: int = 2) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _n in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_demo_documents(application: Application, *, full: bool = True) -> int:
    """Store demo files for one application (ID card both sides; with ``full`` also income proof and bank card),
    whatever its status; returns how many were stored (0 when it already has files). Other apps' demo seeds call
    this before submitting a demo application, since submission needs the required documents."""
    if Document.objects.filter(application=application).exists() or not application.customer.id_number:
        return 0
    front, back = _id_card(application.customer)
    files = [
        ("id_back", back, "id-back.png"),
        ("id_front", front, "id-front.png"),
        ("credit_report", _income_pdf(1), "credit-report.pdf"),
        ("income_proof", _income_pdf(), "salary-certificate.pdf"),
        ("bank_card", _placeholder("Bank card - demo", (640, 400), (238, 232, 220)), "bank-card.jpg"),
    ]
    chosen = files if full else files[:2]
    for doc_type, data, name in chosen:
        document_import(application_id=application.pk, doc_type=doc_type, data=data, name=name, actor=application.owner)
    return len(chosen)


def seed() -> list[str]:
    applications = Application.objects.select_related("customer", "owner").order_by("pk")
    done = 0
    for application in applications[: DEMO_APPLICATIONS * 3]:
        if done >= DEMO_APPLICATIONS:
            break
        if add_demo_documents(application, full=done % 2 == 0):
            done += 1
    return []
