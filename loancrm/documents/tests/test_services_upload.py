"""Upload: every type, type sniffing, limits, supersede, the checklist and the submission check."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status, application_submit
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.documents.choices import DocStatus, DocType
from loancrm.documents.errors import DocumentsClosed
from loancrm.documents.models import Document
from loancrm.documents.services import checklist, document_upload
from loancrm.documents.tests.factories import image_bytes, jpeg, pdf, pdf_bytes, png, upload

pytestmark = pytest.mark.django_db


def put(actor, application, doc_type, file):
    return document_upload(actor=actor, application_id=application.pk, doc_type=doc_type, file=file)


def messages(exc_info):
    return [str(m) for m in exc_info.value.fields["file"]]


@pytest.mark.parametrize(
    ("doc_type", "file", "content_type"),
    [
        ("id_front", lambda: jpeg("身份证正面.JPG"), "image/jpeg"),
        ("id_back", lambda: png("back.png"), "image/png"),
        ("bank_card", lambda: jpeg("card.jpeg"), "image/jpeg"),
        ("credit_report", lambda: pdf("report.pdf", pages=3), "application/pdf"),
        ("income_proof", lambda: pdf("salary.pdf"), "application/pdf"),
        ("social_security", lambda: png("ss.png"), "image/png"),
        ("provident_fund", lambda: jpeg("gjj.jpg"), "image/jpeg"),
    ],
)
def test_upload_stores_the_inspected_file_privately_and_audits(people, application, doc_type, file, content_type):
    given = file()
    document = put(people["agent"], application, doc_type, given)
    document.refresh_from_db()
    assert document.doc_type == doc_type
    assert document.content_type == content_type
    assert document.status == DocStatus.CURRENT
    assert document.customer_id == application.customer_id
    assert document.uploaded_by == people["agent"] and not document.uploaded_by_customer
    assert document.original_name == given.name
    stored = Path(document.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT) / "private" / "documents")
    assert given.name not in stored.name and stored.suffix == {"image/jpeg": ".jpg", "image/png": ".png"}.get(
        content_type, ".pdf"
    )
    assert document.size == stored.stat().st_size
    assert len(document.sha256) == 64
    assert document.thumbnail  # images and (with pypdfium2) PDFs get one
    event = AuditEvent.objects.get(action="document.uploaded")
    assert event.data["doc_type"] == doc_type and event.data["sha256"] == document.sha256
    if content_type == "application/pdf":
        assert document.pages == (3 if doc_type == "credit_report" else 1)
    else:
        assert (document.width, document.height) == (640, 400)


def test_a_text_file_named_jpg_is_refused_and_nothing_is_stored(people, application):
    with pytest.raises(ValidationFailed) as exc:
        put(people["agent"], application, "id_front", upload(b"just some text, not a photo\n" * 10, "photo.jpg"))
    assert messages(exc) == ["请上传 JPG、PNG 或 PDF 文件：该文件的实际内容不是这几种格式。"]
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action="document.uploaded").exists()
    assert not list((Path(settings.MEDIA_ROOT)).rglob("*.*"))


def test_a_pdf_named_jpg_is_stored_as_pdf_but_id_sides_take_photos_only(people, application):
    document = put(people["agent"], application, "income_proof", upload(pdf_bytes(), "salary.jpg", "image/jpeg"))
    assert document.content_type == "application/pdf"
    with pytest.raises(ValidationFailed) as exc:
        put(people["agent"], application, "id_front", upload(pdf_bytes(), "id.pdf", "application/pdf"))
    assert messages(exc) == ["身份证（人像面）须为照片（JPG 或 PNG）。"]


def test_limits_size_dimensions_pages_encryption_and_damage(people, application, settings):
    agent = people["agent"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "income_proof", upload(b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "big.pdf"))
    assert messages(exc) == ["文件超过 10 MB。"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "id_front", jpeg(width=640, height=299))
    assert messages(exc) == ["图片为 640 × 299 像素；每边至少需要 300 像素。"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "income_proof", pdf(pages=21))
    assert messages(exc) == ["该 PDF 共 21 页；最多允许 20 页。"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "income_proof", pdf(password="secret"))
    assert messages(exc) == ["该 PDF 设有密码；请上传未加密的文件。"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "income_proof", upload(b"%PDF-1.4\nthis is not really a pdf", "broken.pdf"))
    assert messages(exc) == ["无法打开该 PDF，文件可能已损坏。"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "id_front", upload(image_bytes()[:200], "cut.jpg"))
    assert messages(exc) == ["无法打开该图片，文件可能已损坏。"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "id_front", upload(b"", "empty.jpg"))
    assert messages(exc) == ["文件为空。"]
    assert not Document.objects.exists()


def test_exif_rotation_is_applied_to_dimensions_and_thumbnail(people, application):
    from PIL import Image

    document = put(people["agent"], application, "id_front", jpeg(width=800, height=400, exif_orientation=6))
    assert (document.width, document.height) == (400, 800)
    with Image.open(document.thumbnail.path) as thumb:
        assert thumb.height > thumb.width and max(thumb.size) <= 320


def test_a_new_single_file_supersedes_the_old_one_which_is_kept(people, application):
    first = put(people["agent"], application, "id_front", jpeg(colour=(1, 2, 3)))
    second = put(people["agent"], application, "id_front", jpeg(colour=(200, 10, 10)))
    first.refresh_from_db()
    assert first.status == DocStatus.SUPERSEDED and Path(first.file.path).exists()
    assert second.status == DocStatus.CURRENT
    assert AuditEvent.objects.filter(action="document.uploaded").first().data["superseded"] == [first.pk]


def test_multi_file_types_are_capped_and_duplicates_refused(people, application):
    agent = people["agent"]
    for n in range(5):
        put(agent, application, "income_proof", jpeg(colour=(n, n, n)))
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "income_proof", jpeg(colour=(9, 9, 9)))
    assert messages(exc) == ["收入证明：最多 5 份；本申请已有 5 份。"]
    with pytest.raises(ValidationFailed) as exc:
        put(agent, application, "social_security", jpeg(colour=(0, 0, 0)))
        put(agent, application, "social_security", jpeg(colour=(0, 0, 0)))
    assert messages(exc) == ["该文件已为此资料上传过。"]
    assert Document.objects.filter(doc_type="income_proof", status=DocStatus.CURRENT).count() == 5


def test_checklist_and_submission_blocked_until_required_documents_are_there(people, application):
    agent = people["agent"]
    items = {item.doc_type: item for item in checklist(application)}
    assert [i.doc_type for i in checklist(application)] == ["id_front", "id_back", "income_proof", "bank_card"]
    assert items["id_front"].required and not items["bank_card"].required
    assert {i.status for i in items.values()} == {"missing"}
    with pytest.raises(ValidationFailed) as exc:
        application_submit(actor=agent, application_id=application.pk)
    assert [str(m) for m in exc.value.fields["documents"]] == [
        "缺少必需的资料：身份证（人像面）、身份证（国徽面）、收入证明。"
    ]
    put(agent, application, "id_front", jpeg())
    put(agent, application, "id_back", jpeg(colour=(3, 3, 3)))
    with pytest.raises(ValidationFailed) as exc:
        application_submit(actor=agent, application_id=application.pk)
    assert [str(m) for m in exc.value.fields["documents"]] == ["缺少必需的资料：收入证明。"]
    put(agent, application, "income_proof", pdf())
    items = {item.doc_type: item for item in checklist(application)}
    assert (items["income_proof"].present, items["income_proof"].count, items["income_proof"].status) == (
        True, 1, "present",
    )  # fmt: skip
    assert application_submit(actor=agent, application_id=application.pk).status == Status.SUBMITTED


def test_who_may_upload_and_when(people, application, principal):
    with pytest.raises(PermissionDenied):
        put(people["collector"], application, "id_front", jpeg())
    with pytest.raises(NotFound):
        put(people["other_agent"], application, "id_front", jpeg())
    document = put(principal, application, "id_front", jpeg())
    assert document.uploaded_by_customer and document.uploaded_by is None
    assert AuditEvent.objects.get(action="document.uploaded").actor_repr == str(principal)
    with pytest.raises(ValidationFailed):
        put(people["agent"], application, "passport", jpeg())
    application_set_status(application_id=application.pk, status=Status.WITHDRAWN)
    with pytest.raises(DocumentsClosed):
        put(people["agent"], application, "id_back", jpeg())
    assert DocType.ID_BACK not in set(Document.objects.values_list("doc_type", flat=True))
