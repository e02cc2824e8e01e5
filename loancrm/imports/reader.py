"""Reading lead files: .xlsx (``imports.xlsx``, formulas never evaluated) and .csv (UTF-8 with or without BOM,
else GB18030, a superset of GBK).

Invariants: every cell comes out as text; a formula cell is its literal formula text ("=A1" stays "=A1"); a
whole-number float becomes digits without ".0" (Excel stores mobiles as numbers); a blank row is skipped but keeps
its number, so row numbers are those the user sees in the spreadsheet (header = row 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KINDS = ("xlsx", "csv")
XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(Exception):
    """The file is not a readable spreadsheet of the claimed kind."""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def csv_encoding(head: bytes) -> str:
    """The encoding of a CSV file from its bytes: BOM → utf-8-sig; valid UTF-8 → utf-8; else gb18030."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from loancrm.imports.xlsx import XlsxError, xlsx_rows

    try:
        yield from xlsx_rows(path)
    except XlsxError as exc:
        raise UnreadableFile(str(exc)) from exc


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    try:
        with path.open(encoding=encoding, newline="") as handle:
            for row in csv.reader(handle):
                yield [cell.strip() for cell in row]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableFile(str(exc)) from exc


def detect_encoding(path: Path) -> str:
    return csv_encoding(path.read_bytes())


def iter_rows(path: Path, kind: str, encoding: str = "") -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every non-blank row, the header row included."""
    rows = _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path, encoding or detect_encoding(path))
    for number, cells in enumerate(rows, start=1):
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            yield number, cells


def looks_like(kind: str, head: bytes) -> bool:
    """A cheap content check: xlsx is a zip; csv is not a zip and has no NUL bytes."""
    if kind == "xlsx":
        return head.startswith(XLSX_MAGIC)
    return not head.startswith(XLSX_MAGIC) and b"\x00" not in head


def write_csv(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    """A CSV file's bytes (tests and demo data)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)
