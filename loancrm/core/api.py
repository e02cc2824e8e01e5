"""Business date and calendar API; the same services as the calendar page."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core import services
from loancrm.core.business_date import current_business_date, working_calendar
from loancrm.core.models import CalendarDay
from loancrm.core.schemas import (
    BusinessDateIn,
    BusinessDateOut,
    CalendarDayIn,
    CalendarDayOut,
    WorkingDayOut,
)

API_PREFIX = "/calendar"
router = Router(tags=["calendar"])


@router.get("/business-date", response=BusinessDateOut, summary="The system business date")
def get_business_date(request: HttpRequest) -> Any:
    return {"business_date": current_business_date()}


@router.put(
    "/business-date",
    response=BusinessDateOut,
    summary="Set the business date (administrators)",
    auth=authorized("core.change_businessdate"),
)
def put_business_date(request: HttpRequest, payload: BusinessDateIn) -> Any:
    require_scope(request, "*")
    row = services.business_date_set(new_date=payload.date, reason=payload.reason, actor=request.user, request=request)
    return {"business_date": row.current}


@router.get("/days", response=list[CalendarDayOut], summary="Holidays and adjusted working days of a year")
def list_days(request: HttpRequest, year: int | None = None) -> Any:
    require_scope(request, "read")
    return CalendarDay.objects.filter(date__year=year or current_business_date().year).order_by("date")


@router.post("/days", response={201: CalendarDayOut}, auth=authorized("core.manage_calendar"))
def add_day(request: HttpRequest, payload: CalendarDayIn) -> Any:
    require_scope(request, "*")
    return 201, services.calendar_day_add(actor=request.user, request=request, **payload.dict())


@router.delete("/days/{day_id}", response={204: None}, auth=authorized("core.manage_calendar"))
def remove_day(request: HttpRequest, day_id: int) -> Any:
    require_scope(request, "*")
    services.calendar_day_remove(day_id=day_id, actor=request.user, request=request)
    return 204, None


@router.get("/working-day", response=WorkingDayOut, summary="Is a date a working day, and the next one")
def working_day(request: HttpRequest, date: dt.date) -> Any:
    cal = working_calendar(date - dt.timedelta(days=1), date + dt.timedelta(days=400))
    return {"date": date, "is_working_day": cal.is_working_day(date), "next_working_day": cal.next_working_day(date)}
