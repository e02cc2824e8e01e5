"""The overdue pages: the scoped overdue list (filters, sort, pages, CSV / Excel export) and the bucket summary
(count and principal outstanding per bucket and classification, chart, month-end trend). Thin: parse, select,
render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError
from loancrm.core.exports import EXPORT_PERMISSION, Column, export_response
from loancrm.core.listing import paginate
from loancrm.core.money import quantize_money
from loancrm.core.permissions import perm_required
from loancrm.loans import loan_selectors, selectors
from loancrm.servicing import selectors as reads
from loancrm.servicing.forms import OverdueFilterForm, PortfolioFilterForm
from loancrm.servicing.rules import bucket_bands

VIEW = "loans.view_loan"


def _overdue(request: HttpRequest) -> tuple[OverdueFilterForm, Any]:
    visible = selectors.loans_visible_to(request.user)
    form = OverdueFilterForm(
        request.GET or None,
        products=loan_selectors.product_codes(visible),
        units=reads.branches(),
        buckets=[band.code for band in bucket_bands() if band.min_dpd > 0],
    )
    return form, reads.overdue_loans(visible, business_date=current_business_date(), **form.filters())


@perm_required(VIEW)
@require_GET
def overdue_list(request: HttpRequest) -> HttpResponse:
    form, qs = _overdue(request)
    listing = paginate(request, qs, sorts=reads.OVERDUE_SORTS, default_sort=reads.DEFAULT_OVERDUE_SORT)
    context = {
        "form": form,
        "listing": listing,
        "page_obj": listing.page_obj,
        "rows": [(loan, reads.risk_class_label(loan.risk_class)) for loan in listing.rows],
        "totals": reads.overdue_totals(qs),
        "business_date": current_business_date(),
        "can_export": request.user.has_perm(EXPORT_PERMISSION),
    }
    return render(request, "servicing/overdue_list.html", context)


def export_columns() -> list[Column]:
    return [
        Column(_("Contract number"), lambda loan: loan.contract_no),
        Column(_("Customer"), lambda loan: loan.customer.name),
        Column(_("Customer number"), lambda loan: loan.customer.number),
        Column(_("Product"), lambda loan: loan.product_code),
        Column(_("Branch"), lambda loan: loan.org_unit.name if loan.org_unit_id else ""),
        Column(_("Account officer"), lambda loan: loan.officer.username if loan.officer_id else ""),
        Column(_("DPD"), lambda loan: loan.dpd),
        Column(_("Bucket"), lambda loan: loan.bucket),
        Column(_("Classification"), lambda loan: reads.risk_class_label(loan.risk_class)),
        Column(_("Overdue principal"), lambda loan: quantize_money(loan.overdue_principal)),
        Column(_("Overdue interest"), lambda loan: quantize_money(loan.overdue_interest)),
        Column(_("Overdue penalty"), lambda loan: quantize_money(loan.overdue_penalty)),
        Column(_("Overdue amount"), lambda loan: quantize_money(loan.overdue_amount)),
        Column(_("Outstanding principal"), lambda loan: quantize_money(loan.principal_outstanding)),
        Column(_("Oldest due date"), lambda loan: loan.oldest_due_date),
    ]


@perm_required(VIEW, EXPORT_PERMISSION)
@require_GET
def overdue_export(request: HttpRequest) -> HttpResponseBase:
    form, qs = _overdue(request)
    try:
        return export_response(
            actor=request.user,
            name="overdue-loans",
            columns=export_columns(),
            rows=reads.sorted_overdue(qs, request.GET.get("sort", reads.DEFAULT_OVERDUE_SORT)).iterator(
                chunk_size=2000
            ),
            row_count=qs.count(),
            fmt=request.GET.get("format", "csv"),
            request=request,
            filters={name: str(value) for name, value in form.filters().items()},
        )
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("servicing:overdue")


def chart_labels() -> dict[str, str]:
    return {"loans": _("Loans"), "balance": _("Outstanding principal")}


@perm_required(VIEW)
@require_GET
def bucket_summary(request: HttpRequest) -> HttpResponse:
    visible = selectors.loans_visible_to(request.user)
    form = PortfolioFilterForm(request.GET or None, products=loan_selectors.product_codes(visible),
                               units=reads.branches())  # fmt: skip
    qs = reads.filter_portfolio(visible, **form.filters())
    summary = reads.bucket_summary(qs)
    trend = reads.snapshot_trend(qs)
    context = {
        "form": form,
        "summary": summary,
        "bucket_chart": reads.summary_chart(summary.buckets, chart_labels()),
        "class_chart": reads.summary_chart(summary.classes, chart_labels()),
        "trend": trend,
        "trend_chart": reads.trend_chart(trend) if trend.months else None,
        "business_date": current_business_date(),
    }
    return render(request, "servicing/buckets.html", context)
