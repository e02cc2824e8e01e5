"""Header recognition and mapping checks (pure)."""

from __future__ import annotations

import pytest

from loancrm.imports.mapping import apply_mapping, field_for, guess_mapping, mapping_errors


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓名", "name"), ("客户姓名", "name"), ("Name", "name"), (" name ", "name"),
        ("手机号", "mobile"), ("手机", "mobile"), ("手机号码", "mobile"), ("电话", "mobile"), ("联系电话", "mobile"),
        ("Mobile", "mobile"), ("手机号(必填)", "mobile"), ("*手机号", "mobile"), ("手机号（必填）", "mobile"),
        ("身份证号", "id_number"), ("身份证", "id_number"), ("证件号码", "id_number"), ("id_number", "id_number"),
        ("ID Number", "id_number"), ("城市", "city"), ("所在城市", "city"), ("CITY", "city"),
        ("意向金额", "desired_amount"), ("贷款金额", "desired_amount"), ("金额", "desired_amount"),
        ("amount", "desired_amount"), ("产品", "desired_product"), ("意向产品", "desired_product"),
        ("product", "desired_product"), ("渠道活动", "campaign"), ("活动", "campaign"), ("campaign", "campaign"),
        ("外部编号", "external_id"), ("external_id", "external_id"), ("备注", ""), ("", ""), (None, ""),
    ],
)  # fmt: skip
def test_common_chinese_and_english_headers_are_recognised(header, field):
    assert field_for(header) == field


def test_each_field_is_fed_by_the_first_column_that_claims_it():
    assert guess_mapping(["手机", "电话", "姓名", "备注"]) == ["mobile", "", "name", ""]


def test_a_mapping_needs_the_mobile_and_each_field_once():
    assert mapping_errors(["name", ""]) == ["missing:mobile"]
    assert mapping_errors(["mobile", "name", "name"]) == ["twice:name"]
    assert mapping_errors(["mobile", "", "city"]) == []


def test_apply_mapping_drops_ignored_columns_and_pads_short_rows():
    assert apply_mapping(["name", "", "mobile", "city"], ["张三", "x", "13812345678"]) == {
        "name": "张三",
        "mobile": "13812345678",
        "city": "",
    }
