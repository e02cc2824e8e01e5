"""Ledger pages: the trial balance, the journal, one entry, and the accounting periods with close / reopen.
Thin: parse, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError
from loancrm.core.forms import flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.ledger import selectors, services
from loancrm.ledger.charts import balance_chart
from loancrm.ledger.forms import JournalFilterForm, PeriodActionForm, TrialBalanceForm
from loancrm.ledger.selectors import VIEW_PERMISSION

SORTS = {"date": "entry_date", "number": "id", "kind": "kind", "posted": "posted_at"}


@perm_required(VIEW_PERMISSION)
@require_GET
def trial_balance(request: HttpRequest) -> HttpResponse:
    form = TrialBalanceForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("month"):
        tb = selectors.month_trial_balance(request.user, data["month"])
    else:
        as_of = data.get("as_of") or current_business_date()
        tb = selectors.trial_balance(request.user, as_of=as_of, date_from=data.get("date_from"))
    return render(request, "ledger/trial_balance.html", {"form": form, "tb": tb, "chart": balance_chart(tb)})


@perm_required(VIEW_PERMISSION)
@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    form = JournalFilterForm(request.GET or None)
    entries = selectors.filter_entries(selectors.entries_visible_to(request.user), **form.filters())
    listing = paginate(request, entries, sorts=SORTS, default_sort="-date")
    return render(request, "ledger/journal.html", {"form": form, "listing": listing, "page_obj": listing.page_obj})


@perm_required(VIEW_PERMISSION)
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "ledger/entry_detail.html", {"detail": selectors.access_entry(request.user, pk)})


@perm_required(VIEW_PERMISSION)
@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    today = current_business_date()
    return render(request, "ledger/periods.html", {"rows": selectors.period_overview(today), "today": today})


def _period_action(request: HttpRequest, action: str) -> HttpResponse:
    form = PeriodActionForm(request.POST)
    if not form.is_valid():
        details = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": details})
        return redirect("ledger:periods")
    service = services.period_close if action == "close" else services.period_reopen
    try:
        period = service(actor=request.user, request=request, **form.cleaned_data)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        text = _("%(month)s is closed.") if action == "close" else _("%(month)s is open again.")
        messages.success(request, text % {"month": period.label})
    return redirect("ledger:periods")


@perm_required("ledger.close_period")
@require_POST
def period_close(request: HttpRequest) -> HttpResponse:
    return _period_action(request, "close")


@perm_required("ledger.reopen_period")
@require_POST
def period_reopen(request: HttpRequest) -> HttpResponse:
    return _period_action(request, "reopen")
