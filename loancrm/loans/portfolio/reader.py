"""A portfolio file's rows: .xlsx or .csv through the lead-import reader (``loancrm.imports.reader``: formulas never
evaluated, UTF-8 or GB18030 CSV, row numbers as the spreadsheet shows them, header = row 1).

Invariants: the header row is the first non-blank row; data rows keep their spreadsheet numbers; each row comes out
as its cells by portfolio field under the mapping guessed from the header (``columns``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from loancrm.imports.reader import KINDS, UnreadableFile, detect_encoding, iter_rows, looks_like
from loancrm.loans.portfolio.columns import guess_mapping, row_values

__all__ = ["KINDS", "PortfolioFile", "UnreadableFile", "file_kind", "looks_like", "open_file"]


@dataclass(frozen=True)
class PortfolioFile:
    path: Path
    kind: str
    encoding: str
    headers: tuple[str, ...]
    mapping: tuple[str, ...]

    def rows(self, skip: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, cells by field) of the data rows after the first ``skip``."""
        rows = iter_rows(self.path, self.kind, self.encoding)
        next(rows, None)
        for number, cells in islice(rows, skip, None):
            yield number, row_values(list(self.mapping), cells)

    def raw_rows(self, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
        rows = iter_rows(self.path, self.kind, self.encoding)
        next(rows, None)
        return islice(rows, skip, None)

    def column_of(self, field: str) -> str:
        """The file's own header of the column feeding ``field`` ("" when none does)."""
        for header, name in zip(self.headers, self.mapping, strict=False):
            if name == field:
                return header
        return ""


def file_kind(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def open_file(path: Path, kind: str, encoding: str = "") -> PortfolioFile:
    """The file with its header row and guessed mapping (``UnreadableFile`` when it cannot be read)."""
    encoding = encoding or (detect_encoding(path) if kind == "csv" else "")
    first = next(iter_rows(path, kind, encoding), None)
    headers = tuple(first[1]) if first else ()
    return PortfolioFile(path, kind, encoding, headers, tuple(guess_mapping(list(headers))))
