"""The business-calendar page: business date, month grid, the year's exceptions, and their forms.

Views are thin: forms parse, ``loancrm.core.services`` writes. A refused or invalid post re-renders the page with
the message inline and a 4xx status, and writes nothing.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
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

MIN_YEAR, MAX_YEAR = 2000, 2100
SORTS = {"date": "date", "kind": "kind", "name": "name"}


def _month(params: QueryDict, default: dt.date) -> tuple[int, int]:
    """``?year=&month=`` when valid, else the month of ``default``."""
    try:
        year, month = int(params.get("year", default.year)), int(params.get("month", default.month))
    except (TypeError, ValueError):
        return default.year, default.month
    if not (1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR):
        return default.year, default.month
    return year, month


def _cell_kind(working: bool, weekend: bool, entry_kind: str | None) -> str:
    if entry_kind == CalendarDay.Kind.HOLIDAY or (not working and not weekend):
        return "holiday"
    if working and weekend:
        return "workday"
    return "weekend" if weekend else ""


def month_grid(year: int, month: int, business_date: dt.date) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of day cells: date, in-month flag, working flag, kind, entry name, business-date flag."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    cal = working_calendar((first.year, last.year))
    entries = {
        d: (kind, name)
        for d, kind, name in CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind", "name")
    }
    grid = []
    for week in weeks:
        row = []
        for day in week:
            working, weekend = cal.is_working_day(day), day.weekday() >= 5
            kind, name = entries.get(day, (None, ""))
            row.append(
                {
                    "date": day,
                    "in_month": day.month == month,
                    "working": working,
                    "weekend": weekend,
                    "kind": _cell_kind(working, weekend, kind),
                    "name": name,
                    "is_business_date": day == business_date,
                }
            )
        grid.append(row)
    return grid


def _query(params: QueryDict, **changes: Any) -> str:
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    return query.urlencode()


def _page_context(request: HttpRequest, anchor: dt.date | None = None) -> dict[str, Any]:
    """Everything the page shows for the month in ``?year=&month=`` (or ``anchor``'s, or the business date's)."""
    params = request.GET
    business_date = current_business_date()
    year, month = _month(params, anchor or business_date)
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    index_url = reverse("calendar:index")
    nav = {}
    for label, target in (("previous", previous), ("following", following)):
        query = _query(params, year=target.year, month=target.month, page=None, part=None)
        nav[f"{label}_url"] = f"{index_url}?{query}"
        nav[f"{label}_part_url"] = f"{index_url}?{query}&part=month"
    kind = params.get("kind", "")
    days = CalendarDay.objects.filter(date__year=year)
    if kind in CalendarDay.Kind.values:
        days = days.filter(kind=kind)
    else:
        kind = ""
    listing = paginate(request, days, sorts=SORTS, default_sort="date")
    return {
        "business_date": business_date,
        "grid": month_grid(year, month, business_date),
        "month_start": first,
        "year": year,
        "month": month,
        **nav,
        "listing": listing,
        "page_obj": listing.page_obj,
        "kind": kind,
        "kinds": CalendarDay.Kind.choices,
        "official_years": official_years(),
        "day_form": CalendarDayForm(),
        "date_form": BusinessDateForm(initial={"date": business_date}),
    }


def _render_page(request: HttpRequest, status: int = 200, anchor: dt.date | None = None, **forms: Form) -> HttpResponse:
    context = _page_context(request, anchor)
    context.update(forms)
    return render(request, "core/calendar/index.html", context, status=status)


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """Show a refusal without a form to attach it to as a page message, with the error's status."""
    messages.error(request, exc.summary())
    return _render_page(request, status=exc.status)


def _month_url(day: dt.date) -> str:
    return f"{reverse('calendar:index')}?year={day.year}&month={day.month}"


@perm_required("core.view_calendarday")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = _page_context(request)
    if is_htmx(request) and request.GET.get("part") == "month":
        return render(request, "core/calendar/_month_swap.html", context)
    return render(request, "core/calendar/index.html", context)


@perm_required("core.manage_calendar")
@require_POST
def day_add(request: HttpRequest) -> HttpResponse:
    form = CalendarDayForm(request.POST)
    if not form.is_valid():
        return _render_page(request, status=400, day_form=form)
    try:
        services.calendar_day_add(actor=request.user, request=request, **form.cleaned_data)
    except DomainError as exc:
        add_domain_error(form, exc)
        return _render_page(request, status=exc.status, anchor=form.cleaned_data["date"], day_form=form)
    messages.success(request, _("Calendar entry added."))
    return redirect(_month_url(form.cleaned_data["date"]))


@perm_required("core.manage_calendar")
@require_POST
def day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    day = CalendarDay.objects.filter(pk=pk).values_list("date", flat=True).first()
    try:
        services.calendar_day_remove(day_id=pk, actor=request.user, request=request)
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, _("Calendar entry removed."))
    return redirect(_month_url(day) if day else reverse("calendar:index"))


@perm_required("core.manage_calendar")
@require_POST
def import_year(request: HttpRequest) -> HttpResponse:
    form = ImportYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year with an official arrangement on file."))
        return _render_page(request, status=400)
    year = form.cleaned_data["year"]
    try:
        counts = services.calendar_import_year(year=year, actor=request.user, request=request)
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(
        request,
        _("Official arrangement of %(year)s imported: %(added)d added, %(skipped)d already present.")
        % {"year": year, **counts},
    )
    return redirect(_month_url(dt.date(year, 1, 1)))


@perm_required("core.change_businessdate")
@require_POST
def business_date_set(request: HttpRequest) -> HttpResponse:
    form = BusinessDateForm(request.POST)
    if not form.is_valid():
        return _render_page(request, status=400, date_form=form)
    try:
        services.business_date_set(
            new_date=form.cleaned_data["date"], reason=form.cleaned_data["reason"], actor=request.user, request=request
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return _render_page(request, status=exc.status, date_form=form)
    messages.success(request, _("Business date set to %(date)s.") % {"date": form.cleaned_data["date"].isoformat()})
    return redirect("calendar:index")
