"""The per-row errors of a portfolio import as a spreadsheet: row, contract number, column, field, message.

Invariants: messages are rendered when the file is made, in the reader's language; the contract number is read
back from the stored file (errors keep no cell values); every cell is escaped against formulas (= + - @) by
``core.exports``; the page download is permission-checked and audited there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _

from loancrm.core.exports import Column, escape_cell, export_response
from loancrm.loans.models import PortfolioImport
from loancrm.loans.portfolio.messages import error_message, field_label
from loancrm.loans.portfolio.parsing import clean_text
from loancrm.loans.portfolio.reader import PortfolioFile

Line = tuple[int, str, str, str, str]  # row, contract number, column header, field label, message


def error_lines(pf: PortfolioFile, errors: list[dict[str, Any]]) -> Iterator[Line]:
    """One line per stored error, in row order, with the row's contract number as the file has it."""
    wanted = {error["row"] for error in errors}
    contracts: dict[int, str] = {}
    if wanted:
        for number, values in pf.rows():
            if number in wanted:
                contracts[number] = clean_text(values.get("contract_no", ""))
                if len(contracts) == len(wanted):
                    break
    for error in sorted(errors, key=lambda e: e["row"]):  # stable: a row's errors in column order
        name = error.get("field", "")
        yield (error["row"], contracts.get(error["row"], ""), pf.column_of(name) if name else "", field_label(name),
               error_message(error))  # fmt: skip


def headers() -> list[str]:
    return [_("Row"), _("Contract number"), _("Column"), _("Field"), _("Error")]


def _item(index: int) -> Callable[[Line], Any]:
    return lambda line: line[index]


def errors_response(
    *, actor: Any, imp: PortfolioImport, pf: PortfolioFile, request: HttpRequest | None = None
) -> StreamingHttpResponse | FileResponse:
    """The .xlsx download of the import's errors (those of the check before the run, of the run after)."""
    labels = headers()
    columns = [Column(label, _item(i)) for i, label in enumerate(labels)]
    return export_response(
        actor=actor, name=f"portfolio-{imp.pk}-errors", columns=columns, rows=error_lines(pf, imp.errors),
        row_count=len(imp.errors), fmt="xlsx", request=request, filters={"portfolio_import": imp.pk},
        permission="loans.book_loan",
    )  # fmt: skip


def write_errors(path: Path, pf: PortfolioFile, errors: list[dict[str, Any]]) -> int:
    """Write the errors to an .xlsx at ``path`` (the shell command's ``--errors``); the number of lines."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="errors")
    sheet.append(headers())
    count = 0
    for line in error_lines(pf, errors):
        sheet.append([escape_cell(cell) for cell in line])
        count += 1
    workbook.save(path)
    return count
