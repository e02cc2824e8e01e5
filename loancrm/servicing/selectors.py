"""Reads behind the overdue pages and their API: the overdue list (loans past due with their overdue amounts) and
the bucket summary (count and principal outstanding per DPD bucket and per classification, month-end trend).

DPD, bucket and classification are the end-of-day figures on the loan (``Loan.dpd`` …); overdue amounts are what
the loan's current-schedule instalments due before the business date still owe. Every function takes a queryset the
caller scoped with ``loans.selectors.loans_visible_to``; nothing here widens what a viewer sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from loancrm.accounts.models import OrgUnit
from loancrm.core.money import ZERO, quantize_money
from loancrm.loans.choices import OPEN_STATUSES
from loancrm.loans.loan_selectors import UNPAID
from loancrm.loans.models import Installment, Loan
from loancrm.servicing.choices import RiskClass
from loancrm.servicing.models import LoanSnapshot
from loancrm.servicing.rules import bucket_bands, class_bands

OVERDUE_SORTS = {
    "dpd": "dpd",
    "overdue": "overdue_amount",
    "outstanding": "principal_outstanding",
    "contract": "contract_no",
}
DEFAULT_OVERDUE_SORT = "-dpd"
MONEY: DecimalField[Any, Any] = DecimalField(max_digits=18, decimal_places=2)
TREND_MONTHS = 12


def _late_rows(business_date: dt.date) -> QuerySet[Installment]:
    """Current-schedule instalments of the outer loan due before ``business_date`` that still owe something."""
    return Installment.objects.filter(
        UNPAID, loan_id=OuterRef("pk"), version=OuterRef("schedule_version"), due_date__lt=business_date
    ).order_by()


def _owed(business_date: dt.date, component: str) -> Coalesce:
    owed = Sum(F(f"{component}_due") - F(f"{component}_paid"), output_field=MONEY)
    total = _late_rows(business_date).values("loan_id").annotate(total=owed).values("total")[:1]
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def with_overdue_columns(qs: QuerySet[Loan], business_date: dt.date) -> QuerySet[Loan]:
    """Annotate ``overdue_principal`` / ``_interest`` / ``_fee`` / ``_penalty``, their sum ``overdue_amount`` and
    ``oldest_due_date`` (the oldest unpaid instalment due before the business date)."""
    oldest = _late_rows(business_date).values("loan_id").annotate(first=Min("due_date")).values("first")[:1]
    return qs.annotate(
        overdue_principal=_owed(business_date, "principal"),
        overdue_interest=_owed(business_date, "interest"),
        overdue_fee=_owed(business_date, "fee"),
        overdue_penalty=_owed(business_date, "penalty"),
        oldest_due_date=Subquery(oldest),
    ).annotate(overdue_amount=F("overdue_principal") + F("overdue_interest") + F("overdue_fee") + F("overdue_penalty"))


def unit_subtree(unit_id: int) -> Q:
    """Loans booked in org unit ``unit_id`` or below it (a branch with its teams)."""
    path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    return Q(org_unit__path__startswith=path) if path else Q(pk__in=[])


def filter_portfolio(qs: QuerySet[Loan], *, product: str = "", branch: int | None = None) -> QuerySet[Loan]:
    """The filters both pages share: product code and org unit (with the units below it)."""
    if product:
        qs = qs.filter(product_code=product)
    if branch:
        qs = qs.filter(unit_subtree(branch))
    return qs


def overdue_loans(
    qs: QuerySet[Loan],
    *,
    business_date: dt.date,
    bucket: str = "",
    product: str = "",
    branch: int | None = None,
    dpd_min: int | None = None,
    dpd_max: int | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
) -> QuerySet[Loan]:
    """Open loans with DPD > 0 and their overdue columns, filtered (DPD and overdue-amount ranges inclusive)."""
    qs = filter_portfolio(qs.filter(status__in=OPEN_STATUSES, dpd__gt=0), product=product, branch=branch)
    if bucket:
        qs = qs.filter(bucket=bucket)
    if dpd_min is not None:
        qs = qs.filter(dpd__gte=dpd_min)
    if dpd_max is not None:
        qs = qs.filter(dpd__lte=dpd_max)
    qs = with_overdue_columns(qs.select_related("customer", "officer", "org_unit"), business_date)
    if amount_min is not None:
        qs = qs.filter(Q(overdue_amount__gte=amount_min))
    if amount_max is not None:
        qs = qs.filter(Q(overdue_amount__lte=amount_max))
    return qs


def sorted_overdue(qs: QuerySet[Loan], sort: str) -> QuerySet[Loan]:
    """``qs`` ordered by an ``OVERDUE_SORTS`` key ('-' first: descending), ties by id."""
    key = sort.lstrip("-")
    field = OVERDUE_SORTS.get(key, OVERDUE_SORTS[DEFAULT_OVERDUE_SORT.lstrip("-")])
    return qs.order_by(("-" if sort.startswith("-") else "") + field, "-pk")


@dataclass(frozen=True)
class OverdueTotals:
    loans: int
    overdue_amount: Decimal
    principal_outstanding: Decimal


def _money(value: Any) -> Decimal:
    return quantize_money(Decimal(str(value))) if value is not None else ZERO


def overdue_totals(qs: QuerySet[Loan]) -> OverdueTotals:
    """How many loans a filtered overdue list holds, what they owe past due, their principal outstanding."""
    figures = qs.order_by().aggregate(
        n=Count("pk"), overdue=Sum("overdue_amount"), outstanding=Sum("principal_outstanding")
    )
    return OverdueTotals(figures["n"], _money(figures["overdue"]), _money(figures["outstanding"]))


def risk_class_label(code: str) -> str:
    return str(RiskClass(code).label) if code in RiskClass.values else code


# --- bucket summary -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    code: str
    label: str
    min_dpd: int
    max_dpd: int | None
    loans: int
    balance: Decimal
    loan_share: Decimal
    balance_share: Decimal


@dataclass(frozen=True)
class Summary:
    buckets: list[SummaryRow]
    classes: list[SummaryRow]
    loans: int
    balance: Decimal


def _share(part: Decimal | int, whole: Decimal | int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else Decimal("0.0000")


def _grouped(qs: QuerySet[Loan], field: str) -> dict[str, tuple[int, Decimal]]:
    rows = qs.order_by().values(field).annotate(n=Count("pk"), balance=Sum("principal_outstanding"))
    return {row[field]: (row["n"], _money(row["balance"])) for row in rows}


def bucket_summary(qs: QuerySet[Loan]) -> Summary:
    """Open loans of ``qs`` by bucket (in the bucket table's order, empty buckets included) and by classification:
    count, principal outstanding and their shares of the whole."""
    open_loans = qs.filter(status__in=OPEN_STATUSES)
    by_bucket, by_class = _grouped(open_loans, "bucket"), _grouped(open_loans, "risk_class")
    loans = sum(n for n, _b in by_bucket.values())
    balance = sum((b for _n, b in by_bucket.values()), ZERO)

    def rows(bands: Any, figures: dict[str, tuple[int, Decimal]], label: Any) -> list[SummaryRow]:
        out = []
        for band in bands:
            n, amount = figures.get(band.code, (0, ZERO))
            out.append(SummaryRow(band.code, label(band.code), band.min_dpd, band.max_dpd, n, amount,
                                  _share(n, loans), _share(amount, balance)))  # fmt: skip
        return out

    return Summary(
        buckets=rows(bucket_bands(), by_bucket, str),
        classes=rows(class_bands(), by_class, risk_class_label),
        loans=loans,
        balance=balance,
    )


def summary_chart(rows: list[SummaryRow], labels: dict[str, str]) -> dict[str, Any]:
    """ECharts options: loans (left axis) and principal outstanding (right axis) per row, bars side by side."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 90, "top": 30, "bottom": 60},
        "xAxis": {"type": "category", "data": [row.label for row in rows]},
        "yAxis": [
            {"type": "value", "name": labels["loans"], "minInterval": 1},
            {"type": "value", "name": labels["balance"], "splitLine": {"show": False}},
        ],
        "series": [
            {"name": labels["loans"], "type": "bar", "yAxisIndex": 0, "itemStyle": {"color": "#206bc4"},
             "data": [row.loans for row in rows]},
            {"name": labels["balance"], "type": "bar", "yAxisIndex": 1, "itemStyle": {"color": "#f76707"},
             "data": [str(row.balance) for row in rows]},
        ],
    }  # fmt: skip


@dataclass(frozen=True)
class Trend:
    months: list[dt.date]
    balances: dict[str, list[Decimal]]


def snapshot_trend(qs: QuerySet[Loan], months: int = TREND_MONTHS) -> Trend:
    """Principal by bucket at each of the last ``months`` month-ends with snapshots, for the loans of ``qs``."""
    snapshots = LoanSnapshot.objects.filter(loan_id__in=qs.order_by().values("pk"))
    found = list(snapshots.order_by("-month").values_list("month", flat=True).distinct()[:months])
    shown = sorted(found)
    codes = [band.code for band in bucket_bands()]
    balances = {code: [ZERO] * len(shown) for code in codes}
    figures = snapshots.filter(month__in=shown).values("month", "bucket").annotate(balance=Sum("principal"))
    index = {month: i for i, month in enumerate(shown)}
    for row in figures.order_by():
        balances.setdefault(row["bucket"], [ZERO] * len(shown))[index[row["month"]]] = _money(row["balance"])
    return Trend(months=shown, balances=balances)


def trend_chart(trend: Trend) -> dict[str, Any]:
    """ECharts options: one line of principal per bucket over the month-ends."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 90, "right": 20, "top": 20, "bottom": 60},
        "xAxis": {"type": "category", "data": [f"{month:%Y-%m}" for month in trend.months]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": code, "type": "line", "data": [str(value) for value in values]}
            for code, values in trend.balances.items()
        ],
    }


def branches() -> list[OrgUnit]:
    """Org units to filter by (branches and their teams), in tree order."""
    return list(OrgUnit.objects.filter(is_active=True, parent__isnull=False).order_by("path"))
