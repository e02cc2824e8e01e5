"""Write the example portfolio file (docs/examples/portfolio_import.xlsx and .csv) from the rows the import template
uses (``loancrm.loans.portfolio.example``): ``.venv/bin/python docs/examples/make_portfolio_import.py``.

The people are made up (valid-looking ID numbers with correct check digits, 138 0000 mobiles). The .xlsx stores dates
as date cells and amounts as numbers, as a spreadsheet exported from another system would; the .csv is UTF-8 with a
BOM so Excel opens it with the Chinese headers intact. Both are written with fixed metadata, so running the script
again gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from loancrm.loans.portfolio.example import example_rows  # noqa: E402

STAMP = dt.datetime(2026, 1, 1)


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = STAMP
    sheet = workbook.active
    sheet.title = "存量贷款"
    for row in example_rows():
        sheet.append(row)
    for cell in sheet["K"][1:] + sheet["M"][1:]:
        cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJKLMN", (15, 10, 21, 13, 11, 12, 8, 9, 9, 14, 12, 11, 13, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    # zip entries carry their own time: rewrite them with a fixed one so the file is reproducible
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time as "modified"
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            target.writestr(fixed, data)


def write_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in example_rows():
            writer.writerow(["" if cell is None else str(cell) for cell in row])


if __name__ == "__main__":
    folder = Path(__file__).resolve().parent
    write_xlsx(folder / "portfolio_import.xlsx")
    write_csv(folder / "portfolio_import.csv")
    sys.stdout.write(f"wrote {folder / 'portfolio_import.xlsx'} and {folder / 'portfolio_import.csv'}\n")
