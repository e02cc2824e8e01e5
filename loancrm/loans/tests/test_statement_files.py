"""Reading statement files: headers, cells, lines (pure, table-driven), and the .xlsx / .csv reader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from loancrm.loans.statements.columns import detect_columns, missing_columns
from loancrm.loans.statements.parsing import memo_candidates, parse_amount, parse_date, parse_line
from loancrm.loans.statements.reader import count_lines, find_layout, parsed_lines
from loancrm.loans.tests.statement_factories import csv_file, xlsx_file


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["交易流水号", "合同号", "交易金额(元)", "交易日期", "摘要"],
         {"txn_id": 0, "contract_no": 1, "amount": 2, "paid_on": 3, "memo": 4}),
        (["Transaction ID", "Contract No.", "Amount", "Value date", "Memo"],
         {"txn_id": 0, "contract_no": 1, "amount": 2, "paid_on": 3, "memo": 4}),
        (["序号", "流水号", "入账日期", "贷方金额", "附言"], {"txn_id": 1, "paid_on": 2, "amount": 3, "memo": 4}),
        (["bank_txn_id", "金额", "金额", "date"], {"txn_id": 0, "amount": 1, "paid_on": 3}),
        (["账号：6222 0000", "", "户名：某小贷公司"], {}),
    ],
)  # fmt: skip
def test_headers_are_recognised_in_chinese_and_english(headers, expected):
    assert detect_columns(headers) == expected


@pytest.mark.parametrize(
    ("columns", "missing"),
    [
        ({"txn_id": 0, "amount": 1, "paid_on": 2, "contract_no": 3}, []),
        ({"txn_id": 0, "amount": 1, "paid_on": 2, "memo": 3}, []),
        ({"txn_id": 0, "amount": 1, "paid_on": 2}, ["contract_no"]),
        ({"contract_no": 0}, ["txn_id", "amount", "paid_on"]),
    ],
)
def test_a_usable_file_names_id_amount_date_and_contract_or_memo(columns, missing):
    assert missing_columns(columns) == missing


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("8606.64", Decimal("8606.64")),
        ("8,606.64", Decimal("8606.64")),
        ("￥8,606.64元", Decimal("8606.64")),
        ("RMB 100", Decimal("100.00")),
        ("１２３.４", Decimal("123.40")),
        ("8606.6399999999994", Decimal("8606.64")),  # a spreadsheet's float noise around a fen amount
        ("8606.645", None),  # a real third decimal is not rounded away
        ("0", None),
        ("0.00", None),
        ("-100.00", None),
        ("(100.00)", None),
        ("abc", None),
        ("", None),
        ("NaN", None),
        ("1E16", None),
    ],
)
def test_amounts_are_positive_fen_amounts_or_refused(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-02-15", dt.date(2026, 2, 15)),
        ("2026/2/5", dt.date(2026, 2, 5)),
        ("2026.02.15", dt.date(2026, 2, 15)),
        ("20260215", dt.date(2026, 2, 15)),
        ("2026-02-15 10:23:45", dt.date(2026, 2, 15)),
        ("20260215 102345", dt.date(2026, 2, 15)),
        ("2026年2月15日", dt.date(2026, 2, 15)),
        ("46068", dt.date(2026, 2, 15)),  # an Excel date serial
        ("46068.4375", dt.date(2026, 2, 15)),
        ("2026-02-30", None),
        ("15/02/2026", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("memo", "candidates"),
    [
        ("代扣还款 合同HT00000012 张三", ["HT00000012"]),
        ("还款ht2026-0001", ["ht2026-0001", "HT2026-0001"]),
        ("张三还款 100 元", []),  # too short to be a contract number
        ("TX20260215 for HT00000012", ["TX20260215", "HT00000012"]),
        ("", []),
    ],
)
def test_memo_tokens_that_could_be_contract_numbers(memo, candidates):
    assert memo_candidates(memo) == candidates


COLUMNS = {"txn_id": 0, "contract_no": 1, "amount": 2, "paid_on": 3, "memo": 4}


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        (["T1", "HT1", "100.00", "2026-02-15", ""], ""),
        (["T1", "", "100.00", "2026-02-15", "合同HT1"], ""),
        (["T1", "", "100.00", "2026-02-15", ""], ""),  # no contract at all: unmatched, not unreadable
        (["", "HT1", "100.00", "2026-02-15", ""], "no_txn_id"),
        (["T" * 65, "HT1", "100.00", "2026-02-15", ""], "txn_id_too_long"),
        (["2.02602151E+19", "HT1", "100.00", "2026-02-15", ""], "txn_id_number"),
        (["T1", "HT1", "1OO.00", "2026-02-15", ""], "bad_amount:1OO.00"),
        (["T1", "HT1", "100.00", "15/02/2026", ""], "bad_date:15/02/2026"),
        (["T1", "HT1"], "bad_amount:"),
    ],
)
def test_lines_that_cannot_be_read_carry_a_reason(cells, problem):
    assert parse_line(7, cells, COLUMNS).problem == problem


def test_xlsx_with_account_lines_above_the_header_numbers_and_date_cells(tmp_path):
    upload = xlsx_file(
        [["T1", "HT1", 8606.64, dt.date(2026, 2, 15), "还款"], [20260216001, "", 100, "2026-02-16", "合同HT2"]],
        preamble=[["账号：6222 0000 1111"], ["期间：2026-02-15 至 2026-02-16"], []],
    )
    path = tmp_path / "s.xlsx"
    path.write_bytes(upload.read())
    layout = find_layout(path, "xlsx")
    assert (layout.header_row, layout.missing) == (4, [])
    lines = list(parsed_lines(path, "xlsx", "", layout.header_row, layout.columns))
    assert [(x.line_no, x.txn_id, x.contract_no, x.amount, x.paid_on, x.memo, x.problem) for x in lines] == [
        (5, "T1", "HT1", Decimal("8606.64"), dt.date(2026, 2, 15), "还款", ""),
        (6, "20260216001", "", Decimal("100.00"), dt.date(2026, 2, 16), "合同HT2", ""),
    ]
    assert count_lines(path, "xlsx", "", layout.header_row) == 2


def test_csv_saved_by_excel_in_gbk(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(csv_file([["T1", "HT1", "1,234.50", "2026/02/15", "工资代扣"]], encoding="gbk").read())
    layout = find_layout(path, "csv", "gb18030")
    [line] = parsed_lines(path, "csv", "gb18030", layout.header_row, layout.columns)
    assert (line.line_no, line.amount, line.memo) == (2, Decimal("1234.50"), "工资代扣")


def test_a_file_without_the_needed_columns_says_what_is_missing(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(csv_file([["HT1", "100"]], headers=["合同号", "金额"]).read())
    assert find_layout(path, "csv", "utf-8").missing == ["txn_id", "paid_on"]


@pytest.mark.django_db
def test_array_literals_round_trip_through_postgresql():
    from django.db import connection

    from loancrm.loans.statements.bulk_sql import array_literal

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL array literals")
    values = ["paid", 'a "quoted" \\ value', None, "{,}"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[], %s::numeric[], %s::date[]",
                       [array_literal(values), array_literal([Decimal("1.50"), None]),
                        array_literal([dt.date(2026, 2, 15), None])])  # fmt: skip
        assert cursor.fetchone() == (values, [Decimal("1.50"), None], [dt.date(2026, 2, 15), None])
