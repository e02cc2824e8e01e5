"""The demo seed: documents for existing applications, idempotent."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from loancrm.documents import demo
from loancrm.documents.choices import DocStatus
from loancrm.documents.models import Document, IdCardReading

pytestmark = pytest.mark.django_db


def test_seed_adds_documents_to_applications_once(people, application, monkeypatch):
    monkeypatch.setattr(demo, "_id_card", lambda customer: (demo._placeholder("front"), demo._placeholder("back")))
    assert demo.seed() == []
    docs = Document.objects.filter(application=application)
    assert sorted(docs.values_list("doc_type", flat=True)) == [
        "bank_card",
        "credit_report",
        "id_back",
        "id_front",
        "income_proof",
    ]
    assert set(docs.values_list("status", flat=True)) == {DocStatus.CURRENT}
    assert IdCardReading.objects.filter(application=application).count() == 1
    demo.seed()
    assert Document.objects.filter(application=application).count() == 5


def test_the_h5_page_sends_a_visitor_without_a_customer_session_to_sign_in(client, application):
    try:
        login = reverse("applications_h5:login")
    except NoReverseMatch:
        pytest.skip("the H5 sign-in page (applications_h5) has not landed yet")
    response = client.get(reverse("documents_h5:upload", args=[application.pk]))
    assert response.status_code == 302 and response["Location"].startswith(login)
