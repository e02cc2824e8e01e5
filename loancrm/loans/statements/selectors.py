"""Reads of bank statements. A statement lists payments of every branch's loans, so it is shown to viewers whose
data scope is the whole company (operations, administrators, …) and to the user who uploaded it; others see none
("not found")."""

from __future__ import annotations

from itertools import islice
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat
from django.http import Http404

from loancrm.accounts.choices import DataScope
from loancrm.accounts.scope import data_scope
from loancrm.core.money import ZERO, quantize_money
from loancrm.ledger.choices import Acct
from loancrm.ledger.models import LedgerAccount
from loancrm.loans.choices import MatchResult
from loancrm.loans.models import PaymentChannel, StatementImport, StatementLine
from loancrm.loans.statements.reasons import reason_label

VIEW = "loans.view_loan"


def statements_visible_to(viewer: Any) -> QuerySet[StatementImport]:
    if not getattr(viewer, "is_authenticated", False) or not viewer.has_perm(VIEW):
        return StatementImport.objects.none()
    qs = StatementImport.objects.select_related("channel", "created_by", "job_run")
    if data_scope(viewer) == DataScope.ALL:
        return qs
    return qs.filter(created_by=viewer)


def access_statement(viewer: Any, pk: int) -> StatementImport:
    """A statement the viewer may see; otherwise the same 404 as a missing one."""
    statement = statements_visible_to(viewer).filter(pk=pk).first()
    if statement is None:
        raise Http404
    return statement


def filter_statements(
    qs: QuerySet[StatementImport], *, channel: str = "", status: str = ""
) -> QuerySet[StatementImport]:
    if channel:
        qs = qs.filter(channel__code=channel)
    if status:
        qs = qs.filter(status=status)
    return qs


def usable_channels() -> QuerySet[PaymentChannel]:
    """Active channels whose clearing account exists (the ones a statement can be posted for)."""
    account = LedgerAccount.objects.filter(code=Concat(Value(Acct.CLEARING_PREFIX), OuterRef("code")))
    return PaymentChannel.objects.filter(Exists(account), is_active=True)


def reconciliation(statement: StatementImport) -> list[dict[str, Any]]:
    """Count and amount of the lines per result (every result listed, zero when none), then the file's total."""
    found = {
        row["result"]: row
        for row in StatementLine.objects.filter(statement_id=statement.pk)
        .values("result")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by()
    }
    rows = [
        {"result": value, "label": label, "count": found.get(value, {}).get("count", 0),
         "amount": quantize_money(found.get(value, {}).get("amount") or ZERO)}
        for value, label in MatchResult.choices
    ]  # fmt: skip
    rows.append({"result": "", "label": None, "count": sum(r["count"] for r in rows),
                 "amount": sum((r["amount"] for r in rows), ZERO)})  # fmt: skip
    return rows


def filter_lines(statement: StatementImport, *, result: str = "", q: str = "") -> QuerySet[StatementLine]:
    qs = StatementLine.objects.filter(statement_id=statement.pk).select_related("transaction")
    if result in MatchResult.values:
        qs = qs.filter(result=result)
    if q:
        q = q.strip()
        qs = qs.filter(Q(bank_txn_id__iexact=q) | Q(contract_no__istartswith=q) | Q(memo__icontains=q))
    return qs


def with_reasons(lines: list[StatementLine]) -> list[StatementLine]:
    for line in lines:
        line.reason = reason_label(line.note)  # type: ignore[attr-defined]
    return lines


def earlier_uploads(statement: StatementImport) -> QuerySet[StatementImport]:
    """Earlier statements of the same channel with the same file content (a re-upload posts nothing twice)."""
    return StatementImport.objects.filter(
        channel_id=statement.channel_id, file_sha256=statement.file_sha256, pk__lt=statement.pk
    ).order_by("-pk")


def preview(statement: StatementImport, limit: int = 10) -> list[dict[str, Any]]:
    """The first ``limit`` lines as read (before matching), with the reason a line cannot be read."""
    from loancrm.loans.statements.services import parsed_file_lines

    return [{"line": line, "reason": reason_label(line.problem)}
            for line in islice(parsed_file_lines(statement), limit)]  # fmt: skip
