"""Writes of the core app: the business date and the working-day calendar.

Invariants: the business date moves only through ``business_date_set`` (an administrator with a reason, at most
366 days either way) or ``business_date_advance`` (the end-of-day job, forward only); every change is audited in
its transaction; a refused change writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.holidays_cn import ARRANGEMENTS
from loancrm.core.models import BusinessDate, CalendarDay

MAX_MANUAL_JUMP = dt.timedelta(days=366)


def _locked_row() -> BusinessDate:
    BusinessDate.objects.get_or_create(singleton=1, defaults={"current": timezone.localdate()})
    return BusinessDate.objects.select_for_update().get(singleton=1)


@transaction.atomic
def business_date_initialise(*, date: dt.date, actor: Any = None) -> BusinessDate:
    """Create the business-date row if it is missing (first set-up); an existing date is left alone."""
    row, created = BusinessDate.objects.get_or_create(singleton=1, defaults={"current": date})
    if created:
        audit_event(actor, "business_date.initialised", row, {"date": date})
    return row


@transaction.atomic
def business_date_set(
    *, new_date: dt.date, actor: Any, reason: str, request: HttpRequest | None = None, system: bool = False
) -> BusinessDate:
    """An administrator (or an operator at the shell, ``system=True``) sets the date, with a reason."""
    if not system and not (actor is not None and actor.has_perm("core.change_businessdate")):
        raise PermissionDenied()
    if not reason or not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give a reason for changing the business date.")]})
    row = _locked_row()
    before = row.current
    if abs(new_date - before) > MAX_MANUAL_JUMP:
        raise ValidationFailed(fields={"date": [_("The business date can move at most 366 days at a time.")]})
    if new_date == before:
        raise Conflict(_("The business date is already %(date)s.") % {"date": before.isoformat()})
    row.current = new_date
    row.save(update_fields=["current", "updated_at"])
    audit_event(
        actor, "business_date.set", row, {"before": before, "after": new_date, "reason": reason.strip()}, request
    )
    return row


@transaction.atomic
def business_date_advance(*, to_date: dt.date, actor: Any = None) -> BusinessDate:
    """The end-of-day job moves the date forward; going back or standing still is refused."""
    row = _locked_row()
    before = row.current
    if to_date <= before:
        raise Conflict(_("The business date only moves forward (now %(date)s).") % {"date": before.isoformat()})
    row.current = to_date
    row.save(update_fields=["current", "updated_at"])
    audit_event(actor, "business_date.advanced", row, {"before": before, "after": to_date})
    return row


def _require_calendar(actor: Any) -> None:
    if actor is not None and not actor.has_perm("core.manage_calendar"):
        raise PermissionDenied()


@transaction.atomic
def calendar_day_add(
    *, date: dt.date, kind: str, name: str, actor: Any, request: HttpRequest | None = None
) -> CalendarDay:
    """Mark one date as a holiday or an adjusted working day (a date has at most one entry)."""
    _require_calendar(actor)
    if kind not in CalendarDay.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose one of the allowed values.")]})
    if not name.strip():
        raise ValidationFailed(fields={"name": [_("This field is required.")]})
    if kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        raise ValidationFailed(fields={"kind": [_("Only a Saturday or Sunday can be an adjusted working day.")]})
    try:
        with transaction.atomic():
            day = CalendarDay.objects.create(date=date, kind=kind, name=name.strip()[:60])
    except IntegrityError as exc:
        raise Conflict(_("%(date)s is already in the calendar.") % {"date": date.isoformat()}) from exc
    audit_event(actor, "calendar.day_added", day, {"after": {"date": date, "kind": kind, "name": day.name}}, request)
    return day


@transaction.atomic
def calendar_day_remove(*, day_id: int, actor: Any, request: HttpRequest | None = None) -> None:
    """Remove one calendar entry (the date becomes an ordinary weekday or weekend day)."""
    _require_calendar(actor)
    day = CalendarDay.objects.select_for_update().filter(pk=day_id).first()
    if day is None:
        raise NotFound()
    before = {"date": day.date, "kind": day.kind, "name": day.name}
    audit_event(actor, "calendar.day_removed", day, {"before": before}, request)
    day.delete()


@transaction.atomic
def calendar_import_year(*, year: int, actor: Any, request: HttpRequest | None = None) -> dict[str, int]:
    """Add the official arrangement of ``year``; dates already in the calendar are left alone."""
    _require_calendar(actor)
    if year not in ARRANGEMENTS:
        raise ValidationFailed(
            fields={"year": [_("No official arrangement is on file for %(year)s.") % {"year": year}]}
        )
    holidays, workdays = ARRANGEMENTS[year]
    wanted = [(d, CalendarDay.Kind.HOLIDAY, n) for d, n in holidays] + [
        (d, CalendarDay.Kind.WORKDAY, n) for d, n in workdays
    ]
    existing = set(CalendarDay.objects.filter(date__in=[d for d, _k, _n in wanted]).values_list("date", flat=True))
    new = [CalendarDay(date=d, kind=k, name=str(n)) for d, k, n in wanted if d not in existing]
    CalendarDay.objects.bulk_create(new, ignore_conflicts=True)
    counts = {"added": len(new), "skipped": len(wanted) - len(new)}
    if new:
        audit_event(actor, "calendar.year_imported", None, {"year": year, **counts}, request)
    return counts
