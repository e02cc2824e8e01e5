"""The documents API: checklist, multipart upload, audited download, correction request; errors in the one shape."""

from __future__ import annotations

import pytest

from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status
from loancrm.core.models import AuditEvent
from loancrm.documents.models import CorrectionRequest, Document
from loancrm.documents.tests.factories import jpeg, upload

pytestmark = pytest.mark.django_db


def test_checklist_upload_download_and_correction(client, people, application):
    client.force_login(people["agent"])
    base = f"/api/v1/documents/applications/{application.pk}"
    created = client.post(base, {"doc_type": "id_front", "file": jpeg()})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["doc_type"], body["content_type"], body["status"]) == ("id_front", "image/jpeg", "current")
    listing = client.get(base).json()
    assert listing["complete"] is False
    assert [(i["doc_type"], i["present"]) for i in listing["checklist"]] == [
        ("id_front", True), ("id_back", False), ("income_proof", False), ("bank_card", False),
    ]  # fmt: skip
    refused = client.post(base, {"doc_type": "id_back", "file": upload(b"hello", "x.jpg")})
    assert refused.status_code == 400
    assert refused.json()["code"] == "validation_error"
    assert refused.json()["fields"]["file"] == ["请上传 JPG、PNG 或 PDF 文件：该文件的实际内容不是这几种格式。"]
    download = client.get(f"/api/v1/documents/{body['id']}/file")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="document.viewed").count() == 1
    application_set_status(application_id=application.pk, status=Status.SUBMITTED)
    payload = {"items": [{"doc_type": "id_front", "reason": "模糊"}], "message": "请补传"}
    assert client.post(f"{base}/corrections", payload, content_type="application/json").status_code == 403
    client.force_login(people["reviewer"])
    made = client.post(f"{base}/corrections", payload, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "open"
    assert CorrectionRequest.objects.count() == 1 and Document.objects.count() == 1
    client.force_login(people["other_agent"])
    assert client.get(base).status_code == 404
