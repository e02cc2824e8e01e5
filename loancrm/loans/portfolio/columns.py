"""Which portfolio field each column of the header row feeds (pure: no Django).

Headers are recognised by ``loancrm.imports.mapping.normalise_header`` (trimmed, case-folded, blanks, ``*`` and a
parenthesised note dropped: "本金(元)*" → "本金"), in Chinese or English. Invariants: each field is fed by at most
one column (the first that claims it); a file is usable only when every required field has a column and the term
has one (months or days).
"""

from __future__ import annotations

import re
from typing import Any

from loancrm.imports.mapping import normalise_header

FIELDS = (
    "contract_no",
    "customer_name",
    "id_number",
    "mobile",
    "product_code",
    "principal",
    "annual_rate",
    "term_months",
    "term_days",
    "method",
    "start_date",
    "repaid_total",
    "last_repaid_on",
    "officer",
)
REQUIRED = ("contract_no", "customer_name", "id_number", "product_code", "principal", "annual_rate", "method",
            "start_date")  # fmt: skip
TERM_FIELDS = ("term_months", "term_days")
ALIASES: dict[str, tuple[str, ...]] = {
    "contract_no": ("合同号", "合同编号", "借款合同号", "贷款合同号", "contract number", "contract no", "contract_no",
                    "contract"),
    "customer_name": ("客户姓名", "姓名", "借款人", "借款人姓名", "客户名称", "customer name", "customer_name", "name",
                      "borrower"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "证件号", "身份证", "id number", "id_number", "idnumber"),
    "mobile": ("手机号", "手机号码", "手机", "联系电话", "mobile", "phone", "mobile phone"),
    "product_code": ("产品代码", "产品编码", "产品", "product code", "product_code", "product"),
    "principal": ("本金", "贷款本金", "放款金额", "借款金额", "合同金额", "principal", "loan amount", "amount"),
    "annual_rate": ("年利率", "年化利率", "执行年利率", "利率", "annual rate", "annual_rate", "rate", "interest rate"),
    "term_months": ("期限月", "期限(月)", "贷款期限", "期数", "期限", "term months", "term_months", "term",
                    "term (months)"),
    "term_days": ("期限天", "期限(天)", "借款天数", "天数", "term days", "term_days", "term (days)"),
    "method": ("还款方式", "repayment method", "method"),
    "start_date": ("放款日期", "放款日", "起息日", "发放日期", "disbursement date", "start date", "start_date",
                   "disbursed on"),
    "repaid_total": ("已还金额", "累计已还金额", "已还款金额", "累计还款", "repaid to date", "repaid_total", "repaid",
                     "total repaid"),
    "last_repaid_on": ("最后还款日期", "最近还款日期", "最后还款日", "last repayment date", "last_repaid_on",
                       "last repaid on"),
    "officer": ("客户经理", "客户经理账号", "客户经理用户名", "account officer", "officer"),
}  # fmt: skip


def _key(text: str) -> str:
    return re.sub(r"[\s_]+", "", text.casefold())


# "期限(月)" and "期限(天)" differ only by the note normalise_header drops, so the raw header is tried first.
_RAW = {_key(alias): name for name, aliases in ALIASES.items() for alias in aliases if "(" in alias}
_LOOKUP = {normalise_header(alias): name for name, aliases in ALIASES.items() for alias in aliases}


def field_for(header: Any) -> str:
    """The portfolio field a header names, or "" when it is not recognised."""
    raw = _key(str(header or "").replace("（", "(").replace("）", ")").replace("*", ""))
    return _RAW.get(raw) or _LOOKUP.get(normalise_header(header), "")


def guess_mapping(headers: list[str]) -> list[str]:
    """One field name (or "" for a column that is ignored) per header."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        name = field_for(header)
        mapping.append("" if name in taken else name)
        taken.add(name)
    return mapping


def missing_fields(mapping: list[str]) -> list[str]:
    """The required fields no column feeds ("term" when neither months nor days do)."""
    used = set(mapping)
    missing = [name for name in REQUIRED if name not in used]
    if not used & set(TERM_FIELDS):
        missing.append("term")
    return missing


def row_values(mapping: list[str], cells: list[str]) -> dict[str, str]:
    """The cells of one row by field (unmapped columns dropped, missing cells "")."""
    return {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(mapping) if name}
