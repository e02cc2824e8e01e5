"""Factories for customer tests: channels and leads placed directly in an owner's scope."""

from __future__ import annotations

from typing import Any

from loancrm.core.china_ids import credit_code_check_char, id_check_digit
from loancrm.leads.models import Channel, Lead


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def valid_credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


ID_1990 = valid_id("11010519900615001")  # male, born 1990-06-15
ID_1985 = valid_id("31011519850301002")  # female, born 1985-03-01


def make_lead(owner: Any, mobile: str, *, id_number: str = "", name: str = "张三", **extra: Any) -> Lead:
    channel, _created = Channel.objects.get_or_create(code="baidu", defaults={"name": "百度信息流"})
    return Lead.objects.create(
        channel=channel, name=name, mobile=mobile, id_number=id_number, owner=owner,
        org_unit=owner.org_unit if owner else None, **extra,
    )  # fmt: skip
