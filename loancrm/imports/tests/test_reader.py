"""Reading files: CSV encodings, formulas as text, numbers as digits, blank rows keep their numbers."""

from __future__ import annotations

import codecs
import zipfile

import pytest

from loancrm.imports.reader import UnreadableFile, cell_text, csv_encoding, iter_rows, write_csv
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


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _workbook(tmp_path, sheet: str, shared: str = ""):
    path = tmp_path / "hand.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared:
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{shared}</sst>')
    return path


def test_rich_text_without_phonetic_guides_sparse_cells_and_inline_strings(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>城市</t></is></c></row>'
        '<row r="3"><c r="B3"><v>1.3812345678E10</v></c><c r="C3" t="b"><v>1</v></c>'
        '<c r="D3" t="str"><f>A1&amp;"x"</f><v>cached</v></c></row>'
    )
    path = _workbook(
        tmp_path,
        f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>',
        '<si><r><t>姓</t></r><r><t>名</t></r><rPh sb="0" eb="1"><t>xing</t></rPh></si>',
    )
    assert list(iter_rows(path, "xlsx")) == [
        (1, ["姓名", "", "城市"]),
        (3, ["", "13812345678", "TRUE", '=A1&"x"']),
    ]


def test_a_workbook_part_with_a_dtd_is_refused(tmp_path):
    dtd = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    path = _workbook(tmp_path, f'{dtd}<worksheet><sheetData><row r="1"><c><v>&a;</v></c></row></sheetData></worksheet>')
    with pytest.raises(UnreadableFile):
        list(iter_rows(path, "xlsx"))
