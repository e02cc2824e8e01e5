"""GB 11643 ID numbers and mainland mobile numbers, table-driven. No database, no Django."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from loancrm.core.china_ids import (
    PROVINCE_CODES,
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
    assert parsed.number == VALID
    assert parsed.region_code == "110105"
    assert parsed.province_code == "11"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "F"
    assert is_valid_id_number(VALID, today=TODAY)
    assert is_valid_id_number(VALID)  # default today


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),
        ("44030819900101001", id_check_digit("44030819900101001")),
        ("00000000000000000", "1"),  # sum 0 → map[0]
        ("10000000000000000", "5"),  # 7 mod 11 = 7 → map[7]
        ("20000000000000000", "9"),  # 14 mod 11 = 3 → map[3]
    ],
)
def test_check_digit_uses_the_gb_11643_weights_and_map(first17, check):
    assert id_check_digit(first17) == check


@pytest.mark.parametrize(
    "bad", ["1101051949123100", "110105194912310020", "1101051949123100X", "１１０１０５１９４９１２３１００２"]
)
def test_check_digit_needs_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        id_check_digit(bad)


@pytest.mark.parametrize("last", list("0123456789"))
def test_every_other_last_character_is_a_bad_check_digit(last):
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number(VALID[:17] + last, today=TODAY)
    assert info.value.code == "id_check_digit"
    assert not is_valid_id_number(VALID[:17] + last, today=TODAY)


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002X",
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105 19491231 002X",
        " 110105\u300019491231\u3000002x ",
        "110105-19491231-002x",
        "110105－19491231－002X",
        "\t11010519491231002X\n",
    ],
)
def test_variants_normalise_to_the_valid_number(raw):
    assert normalize_id_number(raw) == VALID
    assert validate_id_number(raw, today=TODAY).number == VALID


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", ""), ("abc", "abc"), ("12-34 x", "1234X"), ("110105.1949", "110105.1949")],
)
def test_normalisation_does_not_validate(raw, expected):
    assert normalize_id_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_length"),
        ("1101051949123100", "id_length"),
        ("11010519491231002X1", "id_length"),
        ("110105491231002", "id_legacy_15"),
        ("110105 491231 002", "id_legacy_15"),
        ("11010519A91231002X", "id_chars"),
        ("1101051949123100XX", "id_chars"),
        ("11010519491231002Y", "id_chars"),
        ("110105194912310.2X", "id_chars"),
        ("11010519491231²02X", "id_chars"),  # superscript two: isdigit() but not a digit here
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "id_chars"),  # Arabic-Indic digits
        (with_check("99010519491231002"), "id_province"),
        (with_check("91010519491231002"), "id_province"),
        (with_check("00010519491231002"), "id_province"),
        (with_check("16010519491231002"), "id_province"),
        (with_check("83000019491231002"), "id_province"),
        (with_check("11010519900230002"), "id_birth_date"),  # 30 February
        (with_check("11010519990229002"), "id_birth_date"),  # 29 February in a common year
        (with_check("11010519901301002"), "id_birth_date"),
        (with_check("11010519900000002"), "id_birth_date"),
        (with_check("11010518991231002"), "id_birth_date"),  # before 1900
        (with_check("11010520301231002"), "id_birth_future"),
        (with_check("11010520261124002"), "id_birth_future"),  # TODAY + 1 day
    ],
)
def test_invalid_numbers_name_the_broken_rule(raw, code):
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number(raw, today=TODAY)
    assert info.value.code == code
    assert isinstance(info.value, ValueError) and str(info.value)
    assert not is_valid_id_number(raw, today=TODAY)


@pytest.mark.parametrize("province", sorted(PROVINCE_CODES))
def test_every_province_code_is_accepted(province):
    assert validate_id_number(with_check(f"{province}010519491231002"), today=TODAY).province_code == province


def test_province_list_is_gb_t_2260():
    expected = {11, 12, 13, 14, 15, 21, 22, 23, *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66)}
    assert {int(code) for code in PROVINCE_CODES} == expected | {71, 81, 82}


@pytest.mark.parametrize(
    ("birth", "valid"),
    [("19000101", True), ("20261123", True), ("20000229", True), ("20261124", False), ("18991231", False)],
)
def test_birth_date_boundaries(birth, valid):
    assert is_valid_id_number(with_check(f"110105{birth}001"), today=TODAY) is valid


def test_future_birth_uses_the_real_date_by_default():
    tomorrow = date.today() + timedelta(days=1)
    number = with_check(f"110105{tomorrow:%Y%m%d}001")
    with pytest.raises(InvalidIdNumber) as info:
        validate_id_number(number)
    assert info.value.code == "id_birth_future"
    assert validate_id_number(number, today=tomorrow).birth_date == tomorrow


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        ("19900615", date(2026, 6, 15), 36),  # on the birthday
        ("19900615", date(2026, 6, 14), 35),  # the day before
        ("19900615", date(1990, 6, 15), 0),
        ("19900615", date(1991, 6, 14), 0),
        ("19491231", date(2026, 11, 23), 76),
        ("20000229", date(2026, 2, 28), 25),  # leap-day birthday, common year: not yet
        ("20000229", date(2026, 3, 1), 26),  # ... a year older on 1 March
        ("20000229", date(2028, 2, 28), 27),
        ("20000229", date(2028, 2, 29), 28),  # leap year: on the day itself
    ],
)
def test_age_counts_completed_years(birth, on, age):
    assert validate_id_number(with_check(f"110105{birth}001"), today=TODAY).age(on) == age


def test_age_before_birth_is_refused():
    with pytest.raises(ValueError):
        validate_id_number(VALID, today=TODAY).age(date(1949, 12, 30))


@pytest.mark.parametrize(("seventeenth", "gender"), [(str(d), "M" if d % 2 else "F") for d in range(10)])
def test_gender_comes_from_the_seventeenth_digit(seventeenth, gender):
    assert validate_id_number(with_check(f"1101051990061500{seventeenth}"), today=TODAY).gender == gender


def test_id_number_is_frozen():
    parsed = validate_id_number(VALID, today=TODAY)
    with pytest.raises(AttributeError):
        parsed.number = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("8613812345678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("(+86) 138.1234.5678", "13812345678"),
        ("（＋８６）１３８\u3000１２３４\u3000５６７８", "13812345678"),
        (" 138-1234-5678 ", "13812345678"),
        ("19912345678", "19912345678"),
        ("86 186 1234 5678", "18612345678"),
    ],
)
def test_valid_mobiles_normalise(raw, expected):
    assert normalize_mobile(raw) == expected
    assert is_valid_mobile(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "12812345678",  # second digit must be 3-9
        "10812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "abc",
        "",
        "+8712345678901",
        "+8612812345678",
        "86138123456789",  # 86 + 12 digits
        "0013812345678",
        "+13812345678",
        "138١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "1381234567８x",
        "23812345678",
    ],
)
def test_invalid_mobiles_are_refused(raw):
    with pytest.raises(InvalidMobile) as info:
        normalize_mobile(raw)
    assert info.value.code == "mobile_invalid"
    assert isinstance(info.value, ValueError)
    assert not is_valid_mobile(raw)
