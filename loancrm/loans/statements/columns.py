"""Which column of a statement file holds what (pure): Chinese and English headers as banks and payment companies
write them.

Invariants: a header is recognised after trimming, case-folding, dropping blanks, ``_ - . :`` and a parenthesised
note ("交易金额(元)" → "交易金额"); each field takes the first column that claims it; a usable file names the bank
transaction id, the amount, the date and the contract number or a memo (or both).
"""

from __future__ import annotations

import re
from typing import Any

TXN_ID, CONTRACT, AMOUNT, DATE, MEMO = "txn_id", "contract_no", "amount", "paid_on", "memo"
FIELDS = (TXN_ID, CONTRACT, AMOUNT, DATE, MEMO)
REQUIRED = (TXN_ID, AMOUNT, DATE)
ALIASES: dict[str, tuple[str, ...]] = {
    TXN_ID: (
        "交易流水号", "流水号", "银行流水号", "交易编号", "交易号", "渠道流水号", "支付流水号", "订单号", "交易参考号",
        "凭证号", "银行交易号", "txn id", "txnid", "transaction id", "transaction no", "bank txn id",
        "bank transaction id", "reference", "reference no", "ref", "serial no", "trade no",
    ),
    CONTRACT: (
        "合同号", "合同编号", "借款合同号", "贷款合同号", "借据号", "贷款编号", "合同", "contract", "contract no",
        "contract number", "loan no", "loan number",
    ),
    AMOUNT: (
        "金额", "交易金额", "还款金额", "收款金额", "入账金额", "贷方金额", "到账金额", "实收金额", "amount", "credit",
        "credit amount", "paid amount", "amount paid",
    ),
    DATE: (
        "交易日期", "日期", "入账日期", "还款日期", "记账日期", "到账日期", "交易时间", "起息日", "value date", "date",
        "paid on", "transaction date", "booking date", "posting date",
    ),
    MEMO: (
        "摘要", "附言", "备注", "用途", "交易附言", "交易摘要", "memo", "remark", "remarks", "description", "narrative",
        "note", "purpose",
    ),
}  # fmt: skip


def normalise_header(header: Any) -> str:
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", str(header or "")).replace("*", "")
    return re.sub(r"[\s_\-.:：]+", "", text.casefold())


_LOOKUP = {normalise_header(alias): name for name, aliases in ALIASES.items() for alias in aliases}


def detect_columns(headers: list[str]) -> dict[str, int]:
    """{field: 0-based column} for the recognised headers (the first column wins)."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _LOOKUP.get(normalise_header(header))
        if name and name not in found:
            found[name] = index
    return found


def missing_columns(columns: dict[str, int]) -> list[str]:
    """The fields a usable file lacks ("contract_no" stands for "a contract number or a memo")."""
    missing = [name for name in REQUIRED if name not in columns]
    if CONTRACT not in columns and MEMO not in columns:
        missing.append(CONTRACT)
    return missing
