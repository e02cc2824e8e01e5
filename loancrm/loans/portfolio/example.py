"""Example portfolio rows (pure: no Django): the template users download, the committed example file, the benchmark.

The ID numbers are made up but valid (GB 11643 check digit); the mobiles are in the 138 0000 range.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from loancrm.core.china_ids import id_check_digit

HEADERS = ["合同号", "客户姓名", "身份证号", "手机号", "产品代码", "本金", "年利率", "期限(月)", "期限(天)", "还款方式",
           "放款日期", "已还金额", "最后还款日期", "客户经理"]  # fmt: skip
METHOD_NAMES = ("等额本息", "等额本金", "先息后本", "到期还本付息")


def person_id(index: int, born: dt.date = dt.date(1980, 1, 1)) -> str:
    """A valid ID number of a (made-up) Beijing Chaoyang resident, distinct for each ``index`` below 900 × 20,000."""
    first17 = f"110105{born + dt.timedelta(days=index // 900):%Y%m%d}{index % 900 + 100:03d}"
    return first17 + id_check_digit(first17)


def example_rows() -> list[list[Any]]:
    """The header and six loans: one of each repayment method, a loan in days, one with a partial instalment."""
    money = Decimal
    return [
        HEADERS,
        ["HT2026000001", "张三", person_id(1), "13800000001", "CONSUMER", money("100000.00"), "6%", 12, "", "等额本息",
         dt.date(2026, 1, 15), Decimal("25819.92"), dt.date(2026, 4, 15), ""],
        ["HT2026000002", "李四", person_id(2), "13800000002", "CONSUMER", money("60000.00"), "0.072", 12, "",
         "等额本金", dt.date(2025, 11, 20), Decimal("30000.00"), "", ""],
        ["HT2026000003", "王五", person_id(3), "13800000003", "SME", Decimal("200000.00"), "8.5%", 6, "", "先息后本",
         dt.date(2026, 2, 1), Decimal("2833.34"), dt.date(2026, 3, 1), ""],
        ["HT2026000004", "赵六", person_id(4), "", "SME", Decimal("50000.00"), "10%", "", 90, "到期还本付息",
         dt.date(2026, 3, 10), "", "", ""],
        ["HT2026000005", "张三", person_id(1), "13800000001", "CONSUMER", Decimal("20000.00"), "6%", 6, "", "等额本息",
         dt.date(2026, 2, 5), Decimal("1000.00"), dt.date(2026, 3, 20), ""],
        ["HT2026000006", "钱七", person_id(5), "13800000005", "CONSUMER", Decimal("30000.00"), "0.06", 24, "",
         "equal_principal", dt.date(2025, 6, 30), Decimal("0"), "", ""],
    ]  # fmt: skip


def generated_rows(count: int, *, start: dt.date = dt.date(2025, 7, 1), bad_every: int = 0) -> list[list[Any]]:
    """``count`` loans of four methods with repayments to date as of about 2026-06 (the benchmark's file); every
    ``bad_every``-th row (0: none) has a malformed ID number."""
    rows: list[list[Any]] = [HEADERS]
    money = Decimal("0.01")
    for i in range(count):
        method = METHOD_NAMES[i % 4]
        principal = Decimal(10_000 + (i % 50) * 2_000)
        term = (6, 12, 24, 36)[i // 4 % 4] if method != "到期还本付息" else 12
        paid = Decimal(i % 5) * principal / 20
        id_number = person_id(i) if not bad_every or i % bad_every else person_id(i)[:-1] + "Z"
        disbursed = start + dt.timedelta(days=i % 180)
        rows.append([f"MIG{i:08d}", f"客户{i}", id_number, f"13{i:09d}", ("CONSUMER", "SME")[i % 2], principal,
                     f"{5 + i % 10}%", term, "", method, disbursed, paid.quantize(money), "", ""])  # fmt: skip
    return rows
