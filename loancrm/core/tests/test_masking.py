"""Masking rules, table-driven."""

from __future__ import annotations

import pytest

from loancrm.core.masking import mask


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("id_number", "11010519491231002X", "110105********002X"),
        ("mobile", "13812345678", "138****5678"),
        ("bank_card", "6222020200112233445", "**** **** **** 3445"),
        ("bank_card", "6222 0202 0011 2233 445", "**** **** **** 3445"),
        ("name", "张三", "张*"),
        ("name", "欧阳娜娜", "欧***"),
        ("name", "王", "王*"),
        ("address", "北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("email", "wang@example.cn", "w***@example.cn"),
        ("id_number", "", ""),
        ("mobile", None, ""),
        ("id_number", "12345", "*****"),
        ("unknown", "secret", "******"),
    ],
)
def test_mask(kind, value, masked):
    assert mask(kind, value) == masked
