"""Reading files: CSV encodings, formulas as text, numbers as digits, blank rows keep their numbers."""

from __future__ import annotations

import codecs

from loancrm.imports.reader import cell_text, csv_encoding, iter_rows, write_csv
from loancrm.imports.tests.conftest import xlsx_bytes

ROWS = [["姓名", "手机号"], ["张三", "13812345678"], ["李四", "13912345678"]]


def test_gbk_csv_as_excel_saves_it_is_read(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(write_csv(ROWS, "gbk"))
    assert csv_encoding(path.read_bytes()) == "gb18030"
    assert list(iter_rows(path, "csv")) == [(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])]


def test_utf8_csv_with_and_without_bom_is_read(tmp_path):
    for prefix, expected in ((codecs.BOM_UTF8, "utf-8-sig"), (b"", "utf-8")):
        path = tmp_path / "leads.csv"
        path.write_bytes(prefix + write_csv(ROWS))
        assert csv_encoding(path.read_bytes()) == expected
        assert [cells for _n, cells in iter_rows(path, "csv")] == ROWS


def test_a_formula_cell_is_its_text_and_never_evaluated(tmp_path):
    path = tmp_path / "leads.xlsx"
    path.write_bytes(xlsx_bytes([["姓名", "手机号"], ["=1+1", "=13800000000+1"], ["王五", 13812345678]]))
    assert list(iter_rows(path, "xlsx")) == [
        (1, ["姓名", "手机号"]),
        (2, ["=1+1", "=13800000000+1"]),
        (3, ["王五", "13812345678"]),
    ]


def test_blank_rows_are_skipped_but_keep_their_numbers(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(write_csv([["手机号"], [""], ["13812345678"]]))
    assert list(iter_rows(path, "csv")) == [(1, ["手机号"]), (3, ["13812345678"])]


def test_cell_text_of_numbers():
    assert (cell_text(13812345678.0), cell_text(50000.5), cell_text(None), cell_text(" a ")) == (
        "13812345678",
        "50000.5",
        "",
        "a",
    )
