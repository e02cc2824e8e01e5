"""GB 11643 ID numbers and mainland mobile numbers, table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from loancrm.core.china_ids import (
    InvalidIdNumber,
    InvalidMobile,
    id_check_digit,
    is_valid_id_number,
    is_valid_mobile,
    normalize_id_number,
    normalize_mobile,
    validate_id_number,
)

VALID = "11010519491231002X"
TODAY = date(2026, 11, 23)


def with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_the_reference_number_is_valid_and_parsed():
    parsed = validate_id_number(VALID, today=TODAY)
    assert parsed.number == VALID and parsed.region_code == "110105" and parsed.province_code == "11"
    assert parsed.birth_date == date(1949, 12, 31) and parsed.gender == "F"


@pytest.mark.parametrize("last", list("0123456789"))
def test_every_other_last_character_is_a_bad_check_digit(last):
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number(VALID[:17] + last, today=TODAY)
    assert info.value.code == "id_check_digit"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105 19491231 002X",
        "110105-19491231-002x",
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_variants_normalise_to_the_valid_number(raw):
    assert normalize_id_number(raw) == VALID
    assert validate_id_number(raw, today=TODAY).number == VALID


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1101051949123100", "id_length"),
        ("11010519491231002X1", "id_length"),
        ("110105194912310021", "id_check_digit"),
        ("11010519A91231002X", "id_chars"),
        ("11010519491231002Y", "id_chars"),
        (with_check("99010519491231002"), "id_province"),
        (with_check("91010519491231002"), "id_province"),
        (with_check("11010519900230002"), "id_birth_date"),
        (with_check("11010518991231002"), "id_birth_date"),
        (with_check("11010520301231002"), "id_birth_future"),
        ("110105491231002", "id_legacy_15"),
    ],
)
def test_invalid_numbers_name_the_broken_rule(raw, code):
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number(raw, today=TODAY)
    assert info.value.code == code
    assert not is_valid_id_number(raw, today=TODAY)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        ("19900615", date(2026, 6, 15), 36),
        ("19900615", date(2026, 6, 14), 35),
        ("20000229", date(2026, 2, 28), 25),
        ("20000229", date(2026, 3, 1), 26),
        ("20000229", date(2028, 2, 29), 28),
    ],
)
def test_age_counts_completed_years(birth, on, age):
    assert validate_id_number(with_check(f"110105{birth}001"), today=TODAY).age(on) == age


def test_gender_comes_from_the_seventeenth_digit():
    assert validate_id_number(with_check("11010519900615001"), today=TODAY).gender == "M"
    assert validate_id_number(with_check("11010519900615002"), today=TODAY).gender == "F"


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+86 138 1234 5678",
        "0086-138-1234-5678",
        "１３８１２３４５６７８",
        "8613812345678",
        "(138) 1234.5678",
    ],
)
def test_valid_mobiles_normalise(raw):
    assert normalize_mobile(raw) == "13812345678"
    assert is_valid_mobile(raw)


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "abc", "", "+8712345678901"])
def test_invalid_mobiles_are_refused(raw):
    with pytest.raises(InvalidMobile):
        normalize_mobile(raw)
    assert not is_valid_mobile(raw)
