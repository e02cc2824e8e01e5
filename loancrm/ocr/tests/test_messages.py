"""Finding messages: every code has one, in Chinese by default and in English, with its parameters filled in."""

from __future__ import annotations

import pytest
from django.utils import translation

from loancrm.ocr import checks
from loancrm.ocr.messages import MESSAGES, finding_message

CASES = [
    ("low_confidence", {"confidence": 0.62, "threshold": 0.9}, "address",
     "住址的识别置信度偏低（0.62，阈值 0.9），请人工核对。",
     "The address was read with low confidence (0.62, threshold 0.9); check it by eye."),
    ("missing_field", {}, "name", "未能从身份证上识别出姓名。", "The name could not be read from the ID card."),
    ("id_check_digit", {"expected": "7"}, "id_number", "公民身份号码校验位错误（应为 7）。",
     "The ID number's check digit is wrong (expected 7)."),
    ("validity_expired", {"end": "2025-04-10"}, "validity", "身份证已于 2025-04-10 过期。",
     "The ID card expired on 2025-04-10."),
    ("wrong_side", {"detected": "back"}, "front", "人像面照片看起来不是身份证的对应一面（识别为：国徽面）。",
     "The front image does not look like that side of an ID card (detected: back)."),
    ("no_such_code", {}, "", "身份证核验：no_such_code。", "Check of the ID card: no_such_code."),
]  # fmt: skip


@pytest.mark.parametrize(("code", "params", "field", "chinese", "english"), CASES, ids=[c[0] for c in CASES])
def test_finding_message(code, params, field, chinese, english):
    assert finding_message(code, params, field) == chinese
    with translation.override("en"):
        assert finding_message(code, params, field) == english


def test_every_code_has_a_message():
    assert set(checks.CODES) == set(MESSAGES)
