"""Reads of portfolio imports: the list, one import, the preview of its first rows, earlier uploads of the same file.

Portfolio imports are an operations task, not scoped by branch: whoever may book loans (``loans.book_loan``) sees
every import; anyone else sees none (the same 404 as a missing one).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from loancrm.core.business_date import current_business_date
from loancrm.core.money import format_money
from loancrm.loans.choices import RepaymentMethod
from loancrm.loans.models import PortfolioImport
from loancrm.loans.portfolio.checks import RowChecker
from loancrm.loans.portfolio.messages import FIELD_LABELS, error_message
from loancrm.loans.portfolio.parsing import parse_amount, parse_date, parse_method, parse_rate
from loancrm.loans.portfolio.services import PERMISSION, portfolio_file

PREVIEW_ROWS = 20
PREVIEW_FIELDS = ("contract_no", "customer_name", "id_number", "mobile", "product_code", "principal", "annual_rate",
                  "term_months", "term_days", "method", "start_date", "repaid_total", "last_repaid_on",
                  "officer")  # fmt: skip


def imports_visible_to(viewer: Any) -> QuerySet[PortfolioImport]:
    if not viewer.has_perm(PERMISSION):
        return PortfolioImport.objects.none()
    return PortfolioImport.objects.select_related("created_by", "job_run")


def access_import(viewer: Any, pk: int) -> PortfolioImport:
    imp = imports_visible_to(viewer).filter(pk=pk).first()
    if imp is None:
        raise Http404
    return imp


def same_file(imp: PortfolioImport) -> list[PortfolioImport]:
    """Other uploads of the identical file (same SHA-256), newest first."""
    return list(PortfolioImport.objects.filter(file_sha256=imp.file_sha256).exclude(pk=imp.pk).order_by("-id")[:5])


@dataclass(frozen=True)
class PreviewCell:
    field: str
    value: str
    errors: tuple[str, ...]


@dataclass(frozen=True)
class PreviewRow:
    number: int
    outcome: str
    cells: tuple[PreviewCell, ...]
    row_errors: tuple[str, ...]


def display_value(field: str, raw: str) -> str:
    """A cell as the import reads it (a date cell's serial number as its date, 6% as 6.00 %, a method by its name);
    the raw text when it does not parse."""
    if not raw.strip():
        return ""
    if field in ("start_date", "last_repaid_on"):
        day = parse_date(raw)
        return day.isoformat() if day else raw
    if field in ("principal", "repaid_total"):
        amount, code = parse_amount(raw)
        return format_money(amount) if amount is not None and not code else raw
    if field == "annual_rate":
        rate, code = parse_rate(raw)
        return f"{rate * 100:.2f}%" if rate is not None and not code else raw
    if field == "method":
        method = parse_method(raw)
        return str(RepaymentMethod(method).label) if method else raw
    return raw


def preview_columns(imp: PortfolioImport) -> list[tuple[str, Any]]:
    """(field, label) of the fields the file has a column for, in the template's order."""
    return [(name, FIELD_LABELS[name]) for name in PREVIEW_FIELDS if name in imp.mapping]


def preview_rows(imp: PortfolioImport, limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first ``limit`` data rows as the run would decide them now, each cell with its errors."""
    pf = portfolio_file(imp)
    chunk = list(islice(pf.rows(), limit))
    checker = RowChecker(business_date=current_business_date(), today=timezone.localdate())
    fields = [name for name, _label in preview_columns(imp)]
    rows = []
    for (number, values), decision in zip(chunk, checker.decide(chunk), strict=True):
        by_field: dict[str, list[str]] = {}
        for error in decision.error_dicts():
            by_field.setdefault(error["field"], []).append(error_message(error))
        cells = tuple(PreviewCell(name, display_value(name, values.get(name, "")), tuple(by_field.pop(name, [])))
                      for name in fields)  # fmt: skip
        rest = tuple(message for messages in by_field.values() for message in messages)
        rows.append(PreviewRow(number, decision.outcome, cells, rest))
    return rows


def first_errors(imp: PortfolioImport, limit: int = 100) -> list[dict[str, Any]]:
    """The first stored errors with their messages and the file's column header (for the page)."""
    pf = portfolio_file(imp)
    return [
        {"row": e["row"], "column": pf.column_of(e.get("field", "")), "field": e.get("field", ""),
         "message": error_message(e)}
        for e in sorted(imp.errors, key=lambda e: e["row"])[:limit]
    ]  # fmt: skip
