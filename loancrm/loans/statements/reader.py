"""Statement files → parsed lines: .xlsx (the lean reader of ``loancrm.imports``; formulas never evaluated) and .csv
(UTF-8 with or without BOM, else GB18030).

Invariants: the header row is the first of the first ``HEADER_SEARCH`` non-blank rows whose headers name the
required columns (bank exports often start with account and period lines); line numbers are the spreadsheet's row
numbers (what the user sees); blank rows are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from loancrm.imports.reader import iter_rows
from loancrm.loans.statements.columns import detect_columns, missing_columns
from loancrm.loans.statements.parsing import ParsedLine, parse_line

HEADER_SEARCH = 20


@dataclass(frozen=True)
class Layout:
    header_row: int
    headers: list[str]
    columns: dict[str, int]
    missing: list[str]


def find_layout(path: Path, kind: str, encoding: str = "") -> Layout:
    """Where the header row is and which columns it names (``missing`` lists what it lacks when none fits)."""
    first: Layout | None = None
    for number, cells in islice(iter_rows(path, kind, encoding), HEADER_SEARCH):
        columns = detect_columns(cells)
        layout = Layout(number, cells, columns, missing_columns(columns))
        if not layout.missing:
            return layout
        if first is None or len(columns) > len(first.columns):
            first = layout
    return first or Layout(0, [], {}, missing_columns({}))


def data_rows(path: Path, kind: str, encoding: str, header_row: int, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the non-blank rows under the header row, after the first ``skip`` of them."""
    rows = (row for row in iter_rows(path, kind, encoding) if row[0] > header_row)
    return islice(rows, skip, None)


def parsed_lines(
    path: Path, kind: str, encoding: str, header_row: int, columns: dict[str, int], skip: int = 0
) -> Iterator[ParsedLine]:
    for number, cells in data_rows(path, kind, encoding, header_row, skip):
        yield parse_line(number, cells, columns)


def count_lines(path: Path, kind: str, encoding: str, header_row: int) -> int:
    return sum(1 for _row in data_rows(path, kind, encoding, header_row))
