"""Business date and calendar API; the same services as the calendar page."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core import services
from loancrm.core.business_date import current_business_date, working_calendar
from loancrm.core.errors import ValidationFailed
from loancrm.core.models import CalendarDay
from loancrm.core.pagination import PageNumberPagination
from loancrm.core.schemas import (
    BusinessDateIn,
    BusinessDateOut,
    CalendarDayFilters,
    CalendarDayIn,
    CalendarDayOut,
    WorkingDayOut,
)

API_PREFIX = "/calendar"
router = Router(tags=["calendar"])
WORKING_DAY_YEARS = (1900, 2999)


@router.get("/business-date", response=BusinessDateOut, summary="The system business date")
def get_business_date(request: HttpRequest) -> Any:
    require_scope(request, "read")
    return {"business_date": current_business_date()}


@router.put(
    "/business-date",
    response=BusinessDateOut,
    summary="Set the business date (administrators; audited with the reason)",
    auth=authorized("core.change_businessdate"),
)
def put_business_date(request: HttpRequest, payload: BusinessDateIn) -> Any:
    require_scope(request, "*")
    row = services.business_date_set(new_date=payload.date, reason=payload.reason, actor=request.user, request=request)
    return {"business_date": row.current}


@router.get("/days", response=list[CalendarDayOut], summary="Holidays and adjusted working days of a year")
@paginate(PageNumberPagination)
def list_days(request: HttpRequest, filters: Query[CalendarDayFilters]) -> Any:
    require_scope(request, "read")
    days = CalendarDay.objects.filter(date__year=filters.year or current_business_date().year)
    if filters.kind:
        days = days.filter(kind=filters.kind)
    return days.order_by("date", "id")


@router.post(
    "/days", response={201: CalendarDayOut}, summary="Add a calendar entry", auth=authorized("core.manage_calendar")
)
def add_day(request: HttpRequest, payload: CalendarDayIn) -> Any:
    require_scope(request, "*")
    return 201, services.calendar_day_add(actor=request.user, request=request, **payload.dict())


@router.delete(
    "/days/{day_id}", response={204: None}, summary="Remove a calendar entry", auth=authorized("core.manage_calendar")
)
def remove_day(request: HttpRequest, day_id: int) -> Any:
    require_scope(request, "*")
    services.calendar_day_remove(day_id=day_id, actor=request.user, request=request)
    return 204, None


@router.get("/working-day", response=WorkingDayOut, summary="Is a date a working day, and the next working day")
def working_day(request: HttpRequest, date: dt.date) -> Any:
    require_scope(request, "read")
    first, last = WORKING_DAY_YEARS
    if not first <= date.year <= last:
        raise ValidationFailed(
            fields={"date": [_("Enter a date between %(first)s and %(last)s.") % {"first": first, "last": last}]}
        )
    cal = working_calendar((date.year, date.year + 1))
    return {"date": date, "is_working_day": cal.is_working_day(date), "next_working_day": cal.next_working_day(date)}
