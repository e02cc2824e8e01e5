"""The application context a rule sees: names, types and meanings (pure, no Django).

A rule is a CEL expression over exactly these names and nothing else. The context is flat (``court_records``, not
``bureau.court_records``) so that a rule reads as the business says it. Money (``monthly_income``,
``outstanding_debt``, ``amount``) is in yuan as a CEL ``double``: rules only compare it with thresholds, it is
never summed or stored from here, and CEL has no decimal type; the decision record keeps the exact ``Decimal``
inputs. Ratios and years are ``double``, counts ``int``, ``region`` the 6-digit administrative division code
(GB/T 2260) as a string so that ``region.startsWith("44")`` selects a province.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Field:
    name: str
    type: type
    zh: str
    en: str
    sample: Any


FIELDS: tuple[Field, ...] = (
    Field("age", int, "申请人年龄（周岁）", "applicant age in full years", 30),
    Field("region", str, "申请人所在地行政区划代码（6 位）", "applicant region, 6-digit division code", "110101"),
    Field("monthly_income", float, "月收入（元）", "monthly income in yuan", 10000.0),
    Field(
        "debt_to_income", float, "负债收入比（月还款 / 月收入）", "debt-to-income ratio (monthly debt / income)", 0.3
    ),
    Field("employment_years", float, "工作年限（年）", "years in employment", 3.0),
    Field("inquiries_1m", int, "征信近 1 个月查询次数", "bureau inquiries in the last month", 0),
    Field("inquiries_3m", int, "征信近 3 个月查询次数", "bureau inquiries in the last 3 months", 0),
    Field("inquiries_6m", int, "征信近 6 个月查询次数", "bureau inquiries in the last 6 months", 0),
    Field("overdue_accounts", int, "征信当前逾期账户数", "bureau accounts currently overdue", 0),
    Field("max_overdue_months", int, "征信历史最长逾期期数（月）", "bureau longest overdue, in months", 0),
    Field("outstanding_debt", float, "征信未结清贷款余额（元）", "bureau outstanding debt in yuan", 0.0),
    Field("multi_lending_count_3m", int, "近 3 个月多头借贷机构数", "lenders applied to in the last 3 months", 0),
    Field("multi_lending_count_6m", int, "近 6 个月多头借贷机构数", "lenders applied to in the last 6 months", 0),
    Field("court_records", int, "法院执行 / 失信记录数", "court enforcement or defaulter records", 0),
    Field("blacklist_hit", bool, "是否命中黑名单", "whether the applicant is on a blacklist", False),
    Field("product", str, "申请产品代码", "product code applied for", "consumer"),
    Field("amount", float, "申请金额（元）", "amount applied for in yuan", 50000.0),
)

FIELD_BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}


class ContextError(ValueError):
    """A context value is missing, unknown or of the wrong type; ``problems`` maps names to codes."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(", ".join(f"{name}: {code}" for name, code in sorted(problems.items())))


def sample_context() -> dict[str, Any]:
    """A context of typed sample values (used to type-check rules)."""
    return {field.name: field.sample for field in FIELDS}


def _coerce(field: Field, value: Any) -> Any:
    if field.type is bool:
        if isinstance(value, bool):
            return value
        raise TypeError
    if field.type is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError
    if field.type is float:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise TypeError
            return number
        raise TypeError
    if isinstance(value, str):
        return value
    raise TypeError


def context_from(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A validated context: every field present with its type (money and ratios as float), no other names.

    Raises ``ContextError`` with ``missing``, ``unknown``, ``type`` or ``format`` per offending name.
    """
    problems: dict[str, str] = {name: "unknown" for name in mapping if name not in FIELD_BY_NAME}
    context: dict[str, Any] = {}
    for field in FIELDS:
        if field.name not in mapping:
            problems[field.name] = "missing"
            continue
        try:
            context[field.name] = _coerce(field, mapping[field.name])
        except TypeError:
            problems[field.name] = "type"
    region = context.get("region")
    if isinstance(region, str) and not (len(region) == 6 and region.isascii() and region.isdigit()):
        problems["region"] = "format"
    if problems:
        raise ContextError(problems)
    return context
