"""The business-calendar page: business date, month grid, exceptions table, and their forms."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loancrm.core import services
from loancrm.core.business_date import current_business_date, working_calendar
from loancrm.core.calendar_forms import BusinessDateForm, CalendarDayForm, ImportYearForm
from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error
from loancrm.core.holidays_cn import official_years
from loancrm.core.htmx import is_htmx
from loancrm.core.listing import paginate
from loancrm.core.models import CalendarDay
from loancrm.core.permissions import perm_required


def _month(request: HttpRequest, default: dt.date) -> tuple[int, int]:
    try:
        year, month = int(request.GET.get("year", default.year)), int(request.GET.get("month", default.month))
    except ValueError:
        return default.year, default.month
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return default.year, default.month
    return year, month


def month_grid(year: int, month: int, business_date: dt.date) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of day cells: date, in-month flag, working flag, entry name, business-date flag."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    cal = working_calendar(weeks[0][0], weeks[-1][-1])
    names = dict(CalendarDay.objects.filter(date__range=(weeks[0][0], weeks[-1][-1])).values_list("date", "name"))
    return [
        [
            {
                "date": day,
                "in_month": day.month == month,
                "working": cal.is_working_day(day),
                "weekend": day.weekday() >= 5,
                "name": names.get(day, ""),
                "is_business_date": day == business_date,
            }
            for day in week
        ]
        for week in weeks
    ]


def _month_context(request: HttpRequest) -> dict[str, Any]:
    business_date = current_business_date()
    year, month = _month(request, business_date)
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return {
        "grid": month_grid(year, month, business_date),
        "month_start": first,
        "previous": previous,
        "following": following,
        "business_date": business_date,
    }


@perm_required("core.view_calendarday")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = _month_context(request)
    if is_htmx(request) and request.GET.get("part") == "month":
        return render(request, "core/calendar/_month.html", context)
    year = context["month_start"].year
    kind = request.GET.get("kind", "")
    days = CalendarDay.objects.filter(date__year=year)
    if kind in CalendarDay.Kind.values:
        days = days.filter(kind=kind)
    listing = paginate(request, days, sorts={"date": "date", "kind": "kind", "name": "name"}, default_sort="date")
    context.update(
        listing=listing,
        page_obj=listing.page_obj,
        kind=kind,
        kinds=CalendarDay.Kind.choices,
        day_form=CalendarDayForm(),
        date_form=BusinessDateForm(initial={"date": context["business_date"]}),
        official_years=official_years(),
        year=year,
    )
    return render(request, "core/calendar/index.html", context)


def _fail(request: HttpRequest, exc: DomainError) -> HttpResponse:
    details = [str(m) for msgs in exc.fields.values() for m in (msgs if isinstance(msgs, list) else [msgs])]
    messages.error(request, " ".join(details) or str(exc.message))
    return redirect("calendar:index")


@perm_required("core.manage_calendar")
@require_POST
def day_add(request: HttpRequest) -> HttpResponse:
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_day_add(actor=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Calendar entry added."))
            return redirect(
                f"{_index_url()}?year={form.cleaned_data['date'].year}&month={form.cleaned_data['date'].month}"
            )
    context = _month_context(request)
    context.update(day_form=form, date_form=BusinessDateForm(), official_years=official_years(), listing=None)
    return render(request, "core/calendar/index.html", context, status=400)


def _index_url() -> str:
    from django.urls import reverse

    return reverse("calendar:index")


@perm_required("core.manage_calendar")
@require_POST
def day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.calendar_day_remove(day_id=pk, actor=request.user, request=request)
    except DomainError as exc:
        return _fail(request, exc)
    messages.success(request, _("Calendar entry removed."))
    return redirect("calendar:index")


@perm_required("core.manage_calendar")
@require_POST
def import_year(request: HttpRequest) -> HttpResponse:
    form = ImportYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year."))
        return redirect("calendar:index")
    try:
        counts = services.calendar_import_year(year=form.cleaned_data["year"], actor=request.user, request=request)
    except DomainError as exc:
        return _fail(request, exc)
    messages.success(
        request,
        _("Official arrangement of %(year)s imported: %(added)d added, %(skipped)d already present.")
        % {"year": form.cleaned_data["year"], **counts},
    )
    return redirect(f"{_index_url()}?year={form.cleaned_data['year']}&month=1")


@require_POST
def business_date_set(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.change_businessdate"):
        raise DjangoPermissionDenied
    form = BusinessDateForm(request.POST)
    if not form.is_valid():
        details = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, _("The business date was not changed: %(errors)s") % {"errors": " ".join(details)})
        return redirect("calendar:index")
    try:
        services.business_date_set(
            new_date=form.cleaned_data["date"], reason=form.cleaned_data["reason"], actor=request.user, request=request
        )
    except DomainError as exc:
        return _fail(request, exc)
    messages.success(request, _("Business date set to %(date)s.") % {"date": form.cleaned_data["date"].isoformat()})
    return redirect("calendar:index")
