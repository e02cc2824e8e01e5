"""Reads behind the loan pages and the loans read API: list filters and tiles, the schedule with its display state,
next due instalment, the loan's journal entries and audit history, a customer's loans.

Every function takes a loan (or queryset) the caller already scoped with ``selectors.loans_visible_to`` /
``access_loan``; nothing here widens what a viewer sees.

"Overdue" here is what the schedule says on the business date — an open loan with an unpaid instalment of its
current schedule due before the business date — so a loan shows as overdue even before the end-of-day batch has
moved its status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from loancrm.core.models import AuditEvent
from loancrm.core.money import ZERO, quantize_money
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.ledger.selectors import entries_for_loan
from loancrm.loans.choices import OPEN_STATUSES, LoanStatus, TxnKind
from loancrm.loans.models import Installment, Loan, LoanTransaction
from loancrm.loans.rows import is_settled
from loancrm.loans.selectors import filter_loans, loans_visible_to

LIST_SORTS = {
    "contract": "contract_no",
    "customer": "customer__name",
    "principal": "principal",
    "outstanding": "principal_outstanding",
    "start": "start_date",
    "status": "status",
}
DEFAULT_SORT = "-start"


UNPAID = (
    Q(principal_paid__lt=F("principal_due"))
    | Q(interest_paid__lt=F("interest_due"))
    | Q(fee_paid__lt=F("fee_due"))
    | Q(penalty_paid__lt=F("penalty_due"))
)


def _unpaid_current(business_date: dt.date | None = None) -> QuerySet[Installment]:
    """Current-schedule rows of the outer loan that still owe something (by their amounts, not their status)."""
    rows = Installment.objects.filter(UNPAID, loan_id=OuterRef("pk"), version=OuterRef("schedule_version"))
    return rows.filter(due_date__lt=business_date) if business_date else rows


def overdue_q(business_date: dt.date) -> Q:
    """Loans overdue on ``business_date``: status overdue, or open with an unpaid current instalment due before."""
    late = Exists(_unpaid_current(business_date))
    return Q(status=LoanStatus.OVERDUE) | Q(Q(status__in=OPEN_STATUSES), late)


def with_list_columns(qs: QuerySet[Loan], business_date: dt.date) -> QuerySet[Loan]:
    """Annotate the list rows: ``next_due_date`` (first instalment of the current schedule still owing something)
    and ``is_overdue`` (see ``overdue_q``)."""
    first_unpaid = _unpaid_current().order_by("due_date", "period").values("due_date")[:1]
    overdue = ExpressionWrapper(overdue_q(business_date), output_field=BooleanField())
    return qs.annotate(next_due_date=Subquery(first_unpaid), is_overdue=overdue)


def days_past_due(loan: Loan, first_unpaid: dt.date | None, business_date: dt.date) -> int:
    """Days the oldest unpaid instalment of an open loan is late on ``business_date`` (0 when none is)."""
    if loan.status not in OPEN_STATUSES or first_unpaid is None or first_unpaid >= business_date:
        return 0
    return (business_date - first_unpaid).days


def filter_loan_list(
    qs: QuerySet[Loan],
    *,
    business_date: dt.date,
    q: str = "",
    status: str = "",
    product: str = "",
    start_from: dt.date | None = None,
    start_to: dt.date | None = None,
    overdue: bool = False,
) -> QuerySet[Loan]:
    """The list page's and the API's filters (disbursement date range inclusive)."""
    qs = filter_loans(qs, q=q, status=status, product=product)
    if start_from:
        qs = qs.filter(start_date__gte=start_from)
    if start_to:
        qs = qs.filter(start_date__lte=start_to)
    if overdue:
        qs = qs.filter(overdue_q(business_date))
    return qs


@dataclass(frozen=True)
class Tiles:
    loans: int
    principal_outstanding: Decimal
    overdue: int


def list_tiles(qs: QuerySet[Loan], business_date: dt.date) -> Tiles:
    """Summary of a filtered list: how many loans, their principal outstanding, how many are overdue."""
    plain = qs.order_by()
    figures = plain.aggregate(n=Count("pk"), outstanding=Sum("principal_outstanding"))
    total = figures["outstanding"]
    return Tiles(
        loans=figures["n"],
        principal_outstanding=quantize_money(Decimal(total)) if total is not None else ZERO,
        overdue=plain.filter(overdue_q(business_date)).count(),
    )


def product_codes(qs: QuerySet[Loan]) -> list[str]:
    return list(qs.order_by("product_code").values_list("product_code", flat=True).distinct())


# --- one loan ---------------------------------------------------------------------------------------------------

ROW_STATE_PAID = "paid"
ROW_STATE_OVERDUE = "overdue"
ROW_STATE_DUE = "due"
ROW_STATE_PARTIAL = "partial"
ROW_STATE_PENDING = "pending"


def row_state(row: Installment, business_date: dt.date) -> str:
    """Display state of a schedule row on ``business_date`` (from its amounts and due date, not the batch)."""
    if is_settled(row):
        return ROW_STATE_PAID
    if row.due_date < business_date:
        return ROW_STATE_OVERDUE
    if row.due_date == business_date:
        return ROW_STATE_DUE
    return ROW_STATE_PARTIAL if row.paid_total > 0 else ROW_STATE_PENDING


@dataclass(frozen=True)
class ScheduleView:
    version: int
    is_current: bool
    rows: list[tuple[Installment, str]]
    totals: dict[str, Decimal]
    superseded_by: LoanTransaction | None


TOTAL_FIELDS = (
    "principal_due",
    "interest_due",
    "fee_due",
    "penalty_due",
    "principal_paid",
    "interest_paid",
    "fee_paid",
    "penalty_paid",
)


def schedule_view(loan: Loan, rows: list[Installment], version: int, business_date: dt.date) -> ScheduleView:
    totals = {name: sum((getattr(row, name) for row in rows), ZERO) for name in TOTAL_FIELDS}
    totals["due_total"] = sum((row.due_total for row in rows), ZERO)
    totals["paid_total"] = sum((row.paid_total for row in rows), ZERO)
    superseded = None
    if version != loan.schedule_version:
        superseded = (
            LoanTransaction.objects.filter(loan_id=loan.pk, from_version=version)
            .exclude(kind=TxnKind.REVERSAL)
            .order_by("id")
            .first()
        )
    return ScheduleView(
        version=version,
        is_current=version == loan.schedule_version,
        rows=[(row, row_state(row, business_date)) for row in rows],
        totals=totals,
        superseded_by=superseded,
    )


@dataclass(frozen=True)
class NextDue:
    row: Installment
    amount: Decimal


def next_due(rows: list[Installment]) -> NextDue | None:
    """The first instalment of the current schedule not fully paid, with what it still owes."""
    for row in rows:
        if not is_settled(row):
            return NextDue(row=row, amount=row.due_total - row.paid_total)
    return None


def schedule_chart(rows: list[Installment], labels: dict[str, str]) -> dict[str, Any]:
    """ECharts options: principal and interest per period, the paid part solid and the rest light (amounts are
    decimal strings; ECharts reads them as numbers)."""

    def series(key: str, values: list[Decimal], colour: str) -> dict[str, Any]:
        stack = "principal" if key.startswith("principal") else "interest"
        return {"name": labels[key], "type": "bar", "stack": stack, "itemStyle": {"color": colour},
                "emphasis": {"focus": "series"}, "data": [str(value) for value in values]}  # fmt: skip

    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 70, "right": 20, "top": 20, "bottom": 60},
        "xAxis": {"type": "category", "data": [str(row.period) for row in rows]},
        "yAxis": {"type": "value"},
        "series": [
            series("principal_paid", [row.principal_paid for row in rows], "#206bc4"),
            series("principal_open", [row.principal_due - row.principal_paid for row in rows], "#a8c6eb"),
            series("interest_paid", [row.interest_paid for row in rows], "#f76707"),
            series("interest_open", [row.interest_due - row.interest_paid for row in rows], "#fbc9a3"),
        ],
    }


def loan_journal(loan: Loan) -> QuerySet[JournalEntry]:
    """The loan's journal entries (also the bank-file chunk entries its lines are in) with the loan's own lines and
    their accounts, newest first."""
    lines = JournalLine.objects.filter(loan_id=loan.pk).select_related("account").order_by("id")
    return entries_for_loan(loan.pk).prefetch_related(Prefetch("lines", queryset=lines))


def loan_audit(loan: Loan, limit: int = 200) -> list[AuditEvent]:
    """Audit events whose target is the loan, newest first."""
    events = AuditEvent.objects.filter(target_type=Loan._meta.label_lower, target_id=str(loan.pk))
    return list(events.select_related("actor").order_by("-id")[:limit])


def customer_loans(viewer: Any, customer_id: int, business_date: dt.date) -> list[tuple[Loan, int]]:
    """The loans of one customer that ``viewer`` may see, newest first, each with its days past due (empty without
    ``loans.view_loan``)."""
    qs = with_list_columns(loans_visible_to(viewer).filter(customer_id=customer_id), business_date)
    return [
        (loan, days_past_due(loan, getattr(loan, "next_due_date", None), business_date))
        for loan in qs.order_by("-start_date", "-id")
    ]
