"""Column mapping for lead files (pure): which lead field each column of the header row feeds.

Invariants: a header is recognised after trimming, case-folding, dropping blanks, required-marks (*) and a
parenthesised note ("手机号(必填)" → "手机号"); each field is fed by at most one column (the first that claims it).
"""

from __future__ import annotations

import re
from typing import Any

FIELDS = ("name", "mobile", "id_number", "city", "desired_amount", "desired_product", "campaign", "external_id")
REQUIRED = ("mobile",)
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "客户姓名", "客户名称", "name", "fullname", "full name"),
    "mobile": ("手机号", "手机", "手机号码", "电话", "联系电话", "mobile", "phone", "mobile phone"),
    "id_number": ("身份证号", "身份证", "身份证号码", "证件号码", "证件号", "id_number", "id number", "idnumber"),
    "city": ("城市", "所在城市", "city"),
    "desired_amount": ("意向金额", "贷款金额", "金额", "amount", "desired_amount", "desired amount"),
    "desired_product": ("产品", "意向产品", "product", "desired_product", "desired product"),
    "campaign": ("渠道活动", "活动", "campaign"),
    "external_id": ("外部编号", "external_id", "external id", "externalid"),
}
_LOOKUP = {re.sub(r"[\s_]+", "", alias.casefold()): name for name, aliases in ALIASES.items() for alias in aliases}


def normalise_header(header: Any) -> str:
    text = re.sub(r"[(（].*?[)）]", "", str(header or "")).replace("*", "")
    return re.sub(r"[\s_]+", "", text.casefold())


def field_for(header: Any) -> str:
    """The lead field a header names, or "" when it is not recognised."""
    return _LOOKUP.get(normalise_header(header), "")


def guess_mapping(headers: list[str]) -> list[str]:
    """One field name (or "" to ignore the column) per header."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        name = field_for(header)
        mapping.append("" if name in taken else name)
        taken.add(name)
    return mapping


def mapping_errors(mapping: list[str]) -> list[str]:
    """Codes of what is wrong with a mapping: "missing:<field>" or "twice:<field>" (empty when usable)."""
    used = [name for name in mapping if name]
    problems = [f"missing:{name}" for name in REQUIRED if name not in used]
    problems += sorted({f"twice:{name}" for name in used if used.count(name) > 1})
    problems += [f"unknown:{name}" for name in used if name not in FIELDS]
    return problems


def apply_mapping(mapping: list[str], cells: list[str]) -> dict[str, str]:
    """The raw lead of one row under ``mapping`` (columns mapped to "" are dropped)."""
    return {name: cells[i] if i < len(cells) else "" for i, name in enumerate(mapping) if name}
