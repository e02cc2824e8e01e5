"""OCR end to end: the committed card images and freshly rendered ones are read field for field, then checked."""

from __future__ import annotations

import json

import pytest

from loancrm.ocr.service import recognise_id_card, result_from_lines
from loancrm.ocr.tests.conftest import engine_once, needs_cjk_font
from loancrm.ocr.tests.samples import COMMITTED, FRESH, TODAY, Sample

pytestmark = engine_once

# What each committed card must raise besides nothing: the blurred, rotated card may read some field below 0.90.
ALLOWED = {"zhang": set(), "ayi": set(), "li": {"low_confidence"}, "wang": {"validity_expired"}}
REQUIRED = {"wang": {"validity_expired"}}


def _lines(read_image, sample: Sample):
    front, back = sample.paths()
    return read_image(front.name, front.read_bytes()), read_image(back.name, back.read_bytes())


@pytest.mark.parametrize("sample", COMMITTED, ids=[s.key for s in COMMITTED])
def test_committed_card_reads_every_field_exactly(read_image, sample):
    front, back = _lines(read_image, sample)
    result = result_from_lines(front, back, entered_name=sample.name, entered_id_number=sample.id_number, today=TODAY)
    assert result.fields == sample.expected()
    assert result.sides == {"front": "front", "back": "back"}
    codes = {finding.code for finding in result.findings}
    assert REQUIRED.get(sample.key, set()) <= codes <= ALLOWED[sample.key]
    assert result.needs_review is bool(codes)
    assert all(0.0 < value <= 1.0 for value in result.confidence.values() if value is not None)


def test_clean_card_reads_with_high_confidence(read_image):
    front, back = _lines(read_image, COMMITTED[0])
    result = result_from_lines(front, back, entered_name=None, entered_id_number=None, today=TODAY)
    assert min(v for v in result.confidence.values() if v is not None) >= 0.95
    assert result.findings == []
    assert result.needs_review is False


def test_entered_name_differs_is_flagged(read_image):
    sample = COMMITTED[0]
    front, back = _lines(read_image, sample)
    result = result_from_lines(front, back, entered_name="张玮", entered_id_number=sample.id_number, today=TODAY)
    assert [f.code for f in result.findings] == ["name_mismatch"]
    assert result.needs_review is True


def test_swapped_images_are_read_the_right_way_round(read_image):
    sample = COMMITTED[1]
    front, back = _lines(read_image, sample)
    result = result_from_lines(back, front, entered_name=sample.name, entered_id_number=sample.id_number, today=TODAY)
    assert result.fields == sample.expected()
    assert [f.code for f in result.findings] == ["sides_swapped"]
    assert result.needs_review is False


def test_back_image_given_as_front_alone_is_flagged(read_image):
    sample = COMMITTED[0]
    _front, back = _lines(read_image, sample)
    result = result_from_lines(back, None, entered_name=sample.name, entered_id_number=sample.id_number, today=TODAY)
    codes = [f.code for f in result.findings]
    assert codes[0] == "wrong_side"
    assert "back_missing" in codes and "missing_field" in codes
    assert result.needs_review is True


@needs_cjk_font
def test_fresh_render_through_recognise_id_card_flags_a_different_entered_name():
    sample = FRESH[0]
    result = recognise_id_card(
        sample.front(), sample.back(), entered_name="陈思源", entered_id_number=sample.id_number, today=TODAY
    )
    assert result.fields == sample.expected()
    assert [f.code for f in result.findings] == ["name_mismatch"]
    assert result.needs_review is True
    assert result.elapsed_ms > 0
    stored = json.loads(json.dumps(result.as_dict(), ensure_ascii=False))
    assert stored["fields"]["id_number"] == sample.id_number
    assert stored["findings"] == [{"code": "name_mismatch", "severity": "error", "field": "name", "params": {}}]
    assert stored["needs_review"] is True


@needs_cjk_font
@pytest.mark.parametrize("sample", FRESH[1:], ids=[s.key for s in FRESH[1:]])
def test_fresh_render_reads_every_field_exactly(read_image, sample):
    front = read_image(f"fresh-{sample.key}-front", sample.front())
    back = read_image(f"fresh-{sample.key}-back", sample.back())
    result = result_from_lines(front, back, entered_name=sample.name, entered_id_number=sample.id_number, today=TODAY)
    assert result.fields == sample.expected()
    assert result.findings == []
