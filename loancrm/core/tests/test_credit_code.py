"""Unified social credit codes (GB 32100-2015): check character, normalisation and refusals."""

from __future__ import annotations

import pytest

from loancrm.core.china_ids import (
    InvalidCreditCode,
    credit_code_check_char,
    is_valid_credit_code,
    normalize_credit_code,
    validate_credit_code,
)

# Published codes of well-known companies (business licences / annual reports).
REAL_CODES = [
    "91110000802100433B",
    "914403001922038216",
    "91440300708461136T",
    "91330000142916567N",
    "91110000710925243K",
    "911100001000128855",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert validate_credit_code(code) == code


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91110000802100433", "B"),
        ("91440300192203821", "6"),
        ("91440300708461136", "T"),
        ("91330000142916567", "N"),
        ("91110000100012885", "5"),
    ],
)
def test_check_character_uses_the_gb_32100_weights_and_charset(first17, check):
    assert credit_code_check_char(first17) == check


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("91110000802100433A", "credit_code_check"),  # wrong check character
        ("91110000802100434B", "credit_code_check"),  # one digit changed
        ("91440300708461163T", "credit_code_check"),  # two digits swapped
        ("91310000MA1FL4CK5C", "credit_code_check"),  # widely quoted, but its check character is T
        ("9111000080210043B", "credit_code_length"),
        ("91110000802100433BB", "credit_code_length"),
        ("", "credit_code_length"),
        ("9111000080210O433B", "credit_code_chars"),  # letter O is not in the charset
        ("911100008021I0433B", "credit_code_chars"),  # nor I
        ("91A10000802100433B", "credit_code_chars"),  # the division code is six digits
    ],
)
def test_mutated_codes_are_refused_with_the_broken_rule(raw, code):
    with pytest.raises(InvalidCreditCode) as caught:
        validate_credit_code(raw)
    assert caught.value.code == code
    assert not is_valid_credit_code(raw)


def test_normalisation_maps_full_width_lower_case_and_separators():
    assert normalize_credit_code(" ９１１１００００-８０２１００４３３ｂ ") == "91110000802100433B"
    assert validate_credit_code("91440300708461136t") == "91440300708461136T"


@pytest.mark.parametrize("bad", ["1234", "9111000080210043I", "91110000802100433B"])
def test_check_character_needs_17_charset_characters(bad):
    with pytest.raises(ValueError):
        credit_code_check_char(bad)
