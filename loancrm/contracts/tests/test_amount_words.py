"""Chinese capital amounts (大写) against the examples of 《支付结算办法》 and edge cases."""

from decimal import Decimal

import pytest

from loancrm.contracts.amount_words import amount_in_words

CASES = [
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角"),
    ("0.53", "伍角叁分"),
    ("1", "壹元整"),
    ("1.05", "壹元零伍分"),
    ("10", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("100", "壹佰元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("10005", "壹万零伍元整"),
    ("100000", "壹拾万元整"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    ("120034", "壹拾贰万零叁拾肆元整"),
    ("1000000", "壹佰万元整"),
    ("10000000", "壹仟万元整"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("100000001", "壹亿零壹元整"),
    ("325020000", "叁亿贰仟伍佰零贰万元整"),
    ("8884.88", "捌仟捌佰捌拾肆元捌角捌分"),
    ("50000.005", "伍万元零壹分"),  # ROUND_HALF_UP to the fen first
]


@pytest.mark.parametrize(("amount", "words"), CASES)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize("bad", [Decimal("-1"), Decimal("1e16")])
def test_out_of_range_amounts_are_refused(bad):
    with pytest.raises(ValueError):
        amount_in_words(bad)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        amount_in_words(1.5)  # type: ignore[arg-type]
