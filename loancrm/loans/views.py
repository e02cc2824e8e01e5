"""Loan pages: the scoped, filtered list with summary tiles and the loan page (summary, schedule and its older
versions, chart, transactions, journal, audit history). Thin: parse, call selectors, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from loancrm.core.business_date import current_business_date
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.customers.selectors import customers_visible_to
from loancrm.loans import loan_selectors as reads
from loancrm.loans import selectors
from loancrm.loans.loan_forms import LoanFilterForm

LOAN_ACTIONS_TEMPLATE = "loans/payments/_loan_actions.html"


@perm_required("loans.view_loan")
@require_GET
def loan_list(request: HttpRequest) -> HttpResponse:
    business_date = current_business_date()
    visible = selectors.loans_visible_to(request.user)
    form = LoanFilterForm(request.GET or None, products=reads.product_codes(visible))
    qs = reads.filter_loan_list(visible, business_date=business_date, **form.filters())
    listing = paginate(
        request, reads.with_list_columns(qs, business_date), sorts=reads.LIST_SORTS, default_sort=reads.DEFAULT_SORT
    )
    context = {
        "form": form,
        "listing": listing,
        "page_obj": listing.page_obj,
        "tiles": reads.list_tiles(qs, business_date),
        "rows": [(loan, reads.days_past_due(loan, loan.next_due_date, business_date)) for loan in listing.rows],
        "business_date": business_date,
    }
    return render(request, "loans/list.html", context)


def _has_loan_actions() -> bool:
    """Whether the payments module's action panel exists (it lands separately; the page works without it)."""
    try:
        select_template([LOAN_ACTIONS_TEMPLATE])
    except TemplateDoesNotExist:
        return False
    return True


def _chart_labels() -> dict[str, str]:
    return {
        "principal_paid": _("Principal paid"),
        "principal_open": _("Principal unpaid"),
        "interest_paid": _("Interest paid"),
        "interest_open": _("Interest unpaid"),
    }


@perm_required("loans.view_loan")
@require_GET
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = selectors.access_loan(request.user, pk)
    business_date = current_business_date()
    history = selectors.schedule_history(loan)
    current = history.get(loan.schedule_version, [])
    try:
        version = int(request.GET.get("version", loan.schedule_version))
    except ValueError:
        version = loan.schedule_version
    if version not in history:
        version = loan.schedule_version
    shown = history.get(version, [])
    next_due = reads.next_due(current)
    transactions = list(selectors.loan_transactions(loan))
    reversal_of = {txn.reverses_id: txn for txn in transactions if txn.reverses_id}
    context: dict[str, Any] = {
        "loan": loan,
        "customer": loan.customer,
        "customer_link": customers_visible_to(request.user).filter(pk=loan.customer_id).exists(),
        "business_date": business_date,
        "next_due": next_due,
        "days_past_due": reads.days_past_due(loan, next_due.row.due_date if next_due else None, business_date),
        "versions": sorted(history, reverse=True),
        "schedule": reads.schedule_view(loan, shown, version, business_date),
        "chart": reads.schedule_chart(shown, _chart_labels()),
        "transactions": [(txn, reversal_of.get(txn.pk)) for txn in transactions],
        "journal": list(reads.loan_journal(loan)),
        "audit_events": reads.loan_audit(loan),
        "has_loan_actions": _has_loan_actions(),
    }
    return render(request, "loans/detail.html", context)
