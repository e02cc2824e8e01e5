"""Checks on a read card: each case is a change to a valid card and the findings it must (and only must) raise."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from loancrm.ocr.checks import Finding, check_card, needs_review
from loancrm.ocr.idcard import BackSide, Field, FrontSide

TODAY = date(2026, 12, 1)
FRONT = FrontSide(
    name=Field("张伟", 0.99),
    gender=Field("男", 0.99),
    ethnicity=Field("汉", 0.99),
    birth_date=Field("1990-03-07", 0.99),
    address=Field("北京市朝阳区建国路88号院3号楼2单元501室", 0.99),
    id_number=Field("110105199003070017", 0.99),
)
BACK = BackSide(authority=Field("北京市公安局朝阳分局", 0.99), validity=Field("2015.03.01-2035.03.01", 0.99))


def front(**changes: Field | None) -> FrontSide:
    return replace(FRONT, **changes)


def number(value: str, **changes: Field | None) -> dict[str, object]:
    """A card with another ID number, entered the same on the application."""
    return {"front": front(id_number=Field(value, 0.99), **changes), "entered_id_number": value}


def back(validity: str) -> BackSide:
    return replace(BACK, validity=Field(validity, 0.99))


CASES = [
    ("valid card", {}, []),
    ("long-term validity", {"back": back("2016.08.01-长期")}, []),
    ("valid card, X check digit",
     number("44030519580615028X", gender=Field("女", 0.99), birth_date=Field("1958-06-15", 0.99)), []),
    ("bad check digit", number("110105199003070018"),
     [Finding("id_check_digit", "error", "id_number", {"expected": "7"})]),
    ("unknown region", number("990105199003070010"),
     [Finding("id_region_unknown", "error", "id_number", {"region": "990105"})]),
    ("not 18 characters", number("11010519900307001"),
     [Finding("id_malformed", "error", "id_number", {"length": 17})]),
    ("birth date in the number is not a date", number("11010519900230001X"),
     [Finding("id_birth_date_invalid", "error", "id_number", {"digits": "19900230"})]),
    ("printed birth date differs from the number", {"front": front(birth_date=Field("1990-03-08", 0.99))},
     [Finding("birth_date_mismatch", "error", "birth_date", {"printed": "1990-03-08", "in_number": "1990-03-07"})]),
    ("printed gender differs from the number", {"front": front(gender=Field("女", 0.99))},
     [Finding("gender_mismatch", "error", "gender", {"printed": "女", "in_number": "男"})]),
    ("expired", {"back": back("2005.04.10-2025.04.10")},
     [Finding("validity_expired", "error", "validity", {"end": "2025-04-10"})]),
    ("expires today: still valid", {"back": back("2006.12.01-2026.12.01")}, []),
    ("start after end", {"back": back("2035.03.01-2015.03.01")},
     [Finding("validity_reversed", "error", "validity", {"start": "2035-03-01", "end": "2015-03-01"}),
      Finding("validity_not_started", "error", "validity", {"start": "2035-03-01"}),
      Finding("validity_expired", "error", "validity", {"end": "2015-03-01"})]),
    ("not valid yet", {"back": back("2027.01.01-2047.01.01")},
     [Finding("validity_not_started", "error", "validity", {"start": "2027-01-01"})]),
    ("validity not real dates", {"back": back("2015.02.30-2035.02.30")},
     [Finding("validity_unreadable", "error", "validity", {"value": "2015.02.30-2035.02.30"})]),
    ("entered name differs", {"entered_name": "张玮"}, [Finding("name_mismatch", "error", "name")]),
    ("entered name equal after full-width and space folding", {"entered_name": " 张　伟 "}, []),
    ("entered minority name with another dot", {"front": front(name=Field("阿依古丽·买买提", 0.99)),
                                                "entered_name": "阿依古丽•买买提"}, []),
    ("entered ID number differs", {"entered_id_number": "44030519580615028X"},
     [Finding("id_number_mismatch", "error", "id_number")]),
    ("entered ID number equal after folding", {"entered_id_number": "１１０１０５ １９９００３０７ ００１７"}, []),
    ("low confidence", {"front": front(address=Field("北京市朝阳区建国路88号院3号楼2单元501室", 0.62))},
     [Finding("low_confidence", "warning", "address", {"confidence": 0.62, "threshold": 0.9})]),
    ("custom threshold", {"threshold": 0.995},
     [Finding("low_confidence", "warning", key, {"confidence": 0.99, "threshold": 0.995})
      for key in ("name", "gender", "ethnicity", "birth_date", "address", "id_number", "authority", "validity")]),
    ("missing field", {"front": front(name=None)}, [Finding("missing_field", "warning", "name")]),
    ("back not supplied", {"back": None}, [Finding("back_missing", "warning", "validity")]),
    ("ethnicity not one of the 56", {"front": front(ethnicity=Field("汊", 0.99))},
     [Finding("ethnicity_unknown", "warning", "ethnicity", {"value": "汊"})]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_check_card(case, change, expected):
    options = {"entered_name": "张伟", "entered_id_number": "110105199003070017", "threshold": 0.90} | change
    card_front, card_back = options.pop("front", FRONT), options.pop("back", BACK)
    findings = check_card(card_front, card_back, today=TODAY, **options)
    assert findings == expected
    assert needs_review(findings) is bool(expected)


def test_no_entered_values_means_no_comparison():
    assert check_card(FRONT, BACK, today=TODAY, entered_name=None, entered_id_number=None) == []


def test_info_findings_alone_need_no_review():
    assert needs_review([Finding("sides_swapped", "info")]) is False
    assert needs_review([Finding("sides_swapped", "info"), Finding("name_mismatch", "error", "name")]) is True
