"""Pages and file responses: private storage, permission and scope on every open, audit of each view, htmx upload,
reject and correction forms, and the customer's H5 page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from loancrm.applications.choices import Status
from loancrm.applications.h5_session import H5_SESSION_KEY
from loancrm.applications.services import application_set_status
from loancrm.core.models import AuditEvent
from loancrm.documents.choices import CorrectionStatus, DocStatus
from loancrm.documents.corrections import correction_request_create
from loancrm.documents.models import CorrectionRequest, Document
from loancrm.documents.services import document_upload
from loancrm.documents.tests.factories import image_bytes, jpeg, make_documents_application, pdf

pytestmark = pytest.mark.django_db


def put(actor, application, doc_type, file):
    return document_upload(actor=actor, application_id=application.pk, doc_type=doc_type, file=file)


def h5_client(client, customer):
    session = client.session
    session[H5_SESSION_KEY] = {"id": customer.pk, "number": customer.number}
    session.save()
    return client


def test_files_have_no_public_url_and_are_not_served_as_media_or_static(client, people, application):
    document = put(people["agent"], application, "id_front", jpeg())
    with pytest.raises(ValueError, match="no URL"):
        _ = document.file.url
    name = Path(document.file.name).name
    client.force_login(people["admin"])
    for url in (f"/media/private/documents/{name}", f"/media/documents/{name}", f"/static/documents/{name}",
                f"/private/documents/{name}"):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_open_needs_the_permission_and_scope_and_each_open_is_audited(client, people, application):
    document = put(people["agent"], application, "id_front", jpeg())
    url = reverse("documents:file", args=[document.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(people["collector"])
    assert client.get(url).status_code == 403
    client.force_login(people["other_agent"])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="document.viewed").exists()
    client.force_login(people["agent"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(document.file.path).read_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "no-store" in response["Cache-Control"]
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment; filename=")
    thumb = client.get(reverse("documents:thumbnail", args=[document.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    events = list(AuditEvent.objects.filter(action="document.viewed").order_by("id"))
    assert [(e.actor_repr, e.data) for e in events] == [
        ("agent1", {"doc_type": "id_front", "thumbnail": False}),
        ("agent1", {"doc_type": "id_front", "thumbnail": False}),
        ("agent1", {"doc_type": "id_front", "thumbnail": True}),
    ]
    assert all(e.target_id == str(document.pk) for e in events)


def test_a_customer_opens_only_their_own_documents(client, people, application):
    own = put(people["agent"], application, "id_front", jpeg())
    other_application = make_documents_application(people["agent"])
    theirs = put(people["agent"], other_application, "id_front", jpeg(colour=(1, 1, 1)))
    h5_client(client, application.customer)
    assert client.get(reverse("documents_h5:file", args=[own.pk])).status_code == 200
    assert client.get(reverse("documents_h5:thumbnail", args=[own.pk])).status_code == 200
    assert client.get(reverse("documents_h5:file", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("documents_h5:upload", args=[other_application.pk])).status_code == 404
    assert client.get(reverse("documents:file", args=[own.pk])).status_code == 302  # no back-office access
    events = AuditEvent.objects.filter(action="document.viewed")
    assert {e.actor_repr for e in events} == {f"customer:{application.customer.number}"}


def test_the_documents_page_shows_checklist_files_and_completeness(client, people, application):
    put(people["agent"], application, "id_front", jpeg())
    put(people["agent"], application, "income_proof", pdf(pages=2))
    client.force_login(people["agent"])
    page = client.get(reverse("documents:application_documents", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "必需资料 2 / 3" in html
    assert html.count('data-testid="document"') == 2
    assert "PDF · 2 页" in html
    assert 'data-status="missing"' in html  # the ID back
    client.force_login(people["collector"])
    assert client.get(reverse("documents:application_documents", args=[application.pk])).status_code == 403
    client.force_login(people["other_agent"])
    assert client.get(reverse("documents:application_documents", args=[application.pk])).status_code == 404


def test_htmx_upload_returns_the_panel_with_the_new_file_or_the_errors(client, people, application):
    client.force_login(people["agent"])
    url = reverse("documents:upload", args=[application.pk])
    ok = client.post(url, {"doc_type": "id_back", "file": jpeg()}, headers={"HX-Request": "true"})
    assert ok.status_code == 200 and 'id="documents-panel"' in ok.content.decode()
    assert Document.objects.filter(doc_type="id_back").count() == 1
    bad = client.post(
        url, {"doc_type": "id_front", "file": jpeg(width=200, height=200)}, headers={"HX-Request": "true"}
    )
    assert "图片为 200 × 200 像素；每边至少需要 300 像素。" in bad.content.decode()
    assert Document.objects.count() == 1
    plain = client.post(url, {"doc_type": "id_front", "file": jpeg()})
    assert plain.status_code == 302


def test_reject_and_correction_forms(client, people, application):
    document = put(people["agent"], application, "id_front", jpeg())
    client.force_login(people["reviewer"])
    response = client.post(reverse("documents:reject", args=[document.pk]), {"reason": "反光，号码看不清"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.rejected_reason) == (DocStatus.REJECTED, "反光，号码看不清")
    form = {"doc_type": ["id_front"], "reason_id_front": "请在光线充足处重拍", "reason_bank_card": "ignored",
            "message": "谢谢配合", "due_date": ""}  # fmt: skip
    assert client.post(reverse("documents:correction_create", args=[application.pk]), form).status_code == 302
    correction = CorrectionRequest.objects.get()
    assert correction.items == [{"doc_type": "id_front", "reason": "请在光线充足处重拍"}]
    client.force_login(people["agent"])
    assert client.post(reverse("documents:reject", args=[document.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("documents:correction_cancel", args=[correction.pk])).status_code == 403


def test_the_h5_page_shows_open_corrections_and_takes_the_re_upload(client, people, application):
    put(people["agent"], application, "id_front", jpeg())
    application_set_status(application_id=application.pk, status=Status.SUBMITTED)
    correction = correction_request_create(actor=people["reviewer"], application_id=application.pk,
                                           items=[{"doc_type": "id_front", "reason": "照片模糊"}],
                                           message="请重新拍摄身份证人像面。")  # fmt: skip
    h5_client(client, application.customer)
    url = reverse("documents_h5:upload", args=[application.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="h5-correction"' in html
    assert "照片模糊" in html and "请重新拍摄身份证人像面。" in html
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    response = client.post(url, {"doc_type": "id_front", "file": jpeg(colour=(4, 4, 4))})
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.FULFILLED
    assert 'data-testid="h5-correction"' not in client.get(url).content.decode()
    refused = client.post(url, {"doc_type": "bank_card", "file": jpeg(colour=(6, 6, 6))}, follow=True)
    assert "仅在申请为草稿时" in refused.content.decode()
    assert image_bytes  # the factory module is shared
