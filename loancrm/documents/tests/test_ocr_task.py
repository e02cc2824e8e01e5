"""The ID-card reading: queued on upload, run by the task (immediate backend in tests) on rendered card images."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from loancrm.core.models import AuditEvent, Notification
from loancrm.documents.choices import ReadingStatus
from loancrm.documents.models import IdCardReading
from loancrm.documents.readings import latest_reading, prefill_from_reading
from loancrm.documents.services import document_upload
from loancrm.documents.tests.factories import make_documents_application, upload

service = pytest.importorskip("loancrm.ocr.service", reason="the OCR library (branch ocr) is not merged")
cards = pytest.importorskip("loancrm.ocr.cards")

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER = "11010519491231002X"


def _cards(name="王小明", id_number=ID_NUMBER):
    try:
        front = cards.render_front(name=name, gender="女", ethnicity="汉", birth_date=dt.date(1949, 12, 31),
                                   address="北京市朝阳区建国路88号院3号楼2单元501室", id_number=id_number)  # fmt: skip
        back = cards.render_back(authority="北京市公安局朝阳分局", valid_from=dt.date(2020, 1, 1), valid_to=None)
    except cards.CjkFontMissing:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")
    return front, back


def _upload(actor, application, doc_type, data):
    return document_upload(actor=actor, application_id=application.pk, doc_type=doc_type,
                           file=upload(data, f"{doc_type}.png", "image/png"))  # fmt: skip


@pytest.fixture
def card_application(people):
    from loancrm.applications.tests.factories import make_customer

    customer = make_customer(people["agent"], name="王小明", id_number=ID_NUMBER)
    return make_documents_application(people["agent"], customer=customer)


def test_both_sides_are_read_matched_against_the_application_and_stored_encrypted(people, card_application):
    front, back = _cards()
    _upload(people["agent"], card_application, "id_front", front)
    first = latest_reading(card_application)
    assert first.status == ReadingStatus.DONE and first.back is None
    assert "back_missing" in {f["code"] for f in first.findings}
    _upload(people["agent"], card_application, "id_back", back)
    reading = latest_reading(card_application)
    assert IdCardReading.objects.count() == 2
    assert reading.status == ReadingStatus.DONE and reading.back is not None
    fields = reading.data["fields"]
    assert fields["name"] == "王小明"
    assert fields["id_number"] == ID_NUMBER
    assert fields["authority"] == "北京市公安局朝阳分局"
    codes = {f["code"] for f in reading.findings}
    assert not codes & {"name_mismatch", "id_number_mismatch"}
    assert reading.elapsed_ms is not None and reading.completed_at is not None
    # The stored column is ciphertext: the plaintext name and number are nowhere in the raw row.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT result, findings FROM documents_idcardreading WHERE id = %s", [reading.pk])
        raw_result, raw_findings = cursor.fetchone()
    assert ID_NUMBER not in raw_result and "王小明" not in raw_result
    assert ID_NUMBER not in json.dumps(raw_findings, ensure_ascii=False)
    prefill = prefill_from_reading(reading)
    assert prefill["name"] == "王小明" and prefill["id_number"] == ID_NUMBER and prefill["gender"] == "F"
    assert prefill["birth_date"] == "1949-12-31"
    assert prefill["hukou_address"].startswith("北京市朝阳区")
    event = AuditEvent.objects.filter(action="document.id_card_read").first()
    assert event.data["status"] == "done" and ID_NUMBER not in json.dumps(event.data)


def test_a_card_of_someone_else_is_flagged_for_review_and_the_owner_notified(people, card_application):
    front, back = _cards(name="张伟", id_number="110105199003070011")
    _upload(people["agent"], card_application, "id_back", back)
    assert latest_reading(card_application) is None  # no front yet: nothing to read
    _upload(people["agent"], card_application, "id_front", front)
    reading = latest_reading(card_application)
    assert reading.status == ReadingStatus.DONE
    codes = {f["code"] for f in reading.findings}
    assert {"name_mismatch", "id_number_mismatch"} <= codes
    assert reading.needs_review
    assert Notification.objects.filter(recipient=people["agent"], kind="document.id_card_review").exists()


def test_an_unreadable_reading_fails_visibly(people, card_application, monkeypatch):
    from loancrm.documents.tests.factories import image_bytes

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(service, "recognise_id_card", broken)
    _upload(people["agent"], card_application, "id_front", image_bytes(fmt="PNG"))
    reading = latest_reading(card_application)
    assert (reading.status, reading.error, reading.needs_review) == (ReadingStatus.FAILED, "RuntimeError", True)
    assert prefill_from_reading(reading) == {}


def test_the_reading_pre_fills_the_empty_household_address_on_the_profile_form(client, people, card_application):
    front, back = _cards()
    _upload(people["agent"], card_application, "id_back", back)
    _upload(people["agent"], card_application, "id_front", front)
    customer = card_application.customer
    client.force_login(people["agent"])

    page = client.get(f"/customers/{customer.pk}/edit/contacts/").content.decode()

    assert 'data-testid="ocr-prefill"' in page
    start = page.index('name="hukou_address"')
    assert "建国路88号" in page[start - 400 : start + 400]
    customer.refresh_from_db()
    assert customer.hukou_address == ""  # suggested on the form, not saved
