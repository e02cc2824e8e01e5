"""The lines of a statement that were not posted, as a spreadsheet for follow-up (refund, correction, manual
posting): line number, bank transaction id, contract number, memo, amount, date, result and reason. Cells are
escaped against formulas (= + - @) and the download is permission-checked and audited by ``core.exports``."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _

from loancrm.core.exports import Column, export_response
from loancrm.loans.choices import MatchResult
from loancrm.loans.models import StatementImport
from loancrm.loans.statements.reasons import reason_label
from loancrm.loans.statements.selectors import VIEW, filter_lines


def unposted_lines_response(
    *, actor: Any, statement: StatementImport, result: str = MatchResult.UNMATCHED, q: str = "",
    request: HttpRequest | None = None,
) -> StreamingHttpResponse | FileResponse:  # fmt: skip
    """The .xlsx of the statement's lines with ``result`` (unmatched by default; matched lines are not exported)."""
    if result not in (MatchResult.UNMATCHED, MatchResult.DUPLICATE, MatchResult.INVALID):
        result = MatchResult.UNMATCHED
    lines = filter_lines(statement, result=result, q=q).order_by("line_no")
    labels = dict(MatchResult.choices)
    columns = [
        Column(_("Line"), lambda line: line.line_no),
        Column(_("Bank transaction id"), lambda line: line.bank_txn_id),
        Column(_("Contract number"), lambda line: line.contract_no),
        Column(_("Memo"), lambda line: line.memo),
        Column(_("Amount"), lambda line: line.amount),
        Column(_("Date"), lambda line: line.paid_on),
        Column(_("Result"), lambda line: str(labels.get(line.result, line.result))),
        Column(_("Reason"), lambda line: reason_label(line.note)),
    ]
    return export_response(
        actor=actor, name=f"statement-{statement.pk}-{result}", columns=columns, rows=lines.iterator(),
        row_count=lines.count(), fmt="xlsx", request=request,
        filters={"statement": statement.pk, "result": result, "q": q}, permission=VIEW,
    )  # fmt: skip
