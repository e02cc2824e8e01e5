"""Writes of the core app: the business date and the working-day calendar.

Invariants: the business date moves only through ``business_date_set`` (an administrator with a reason, or the
operator's shell as a system action; at most 366 days either way) or ``business_date_advance`` (the end-of-day
job, forward only); a calendar date has at most one entry; every change is audited with its before/after data in
its own transaction; a refused change writes nothing (no row, no audit event).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.holidays_cn import ARRANGEMENTS
from loancrm.core.models import BusinessDate, CalendarDay

MAX_MANUAL_JUMP = dt.timedelta(days=366)
NAME_MAX_LENGTH = 60


def _locked_row() -> BusinessDate:
    """The business-date row under a row lock (created as today's date, which it already reads as, if missing)."""
    BusinessDate.objects.get_or_create(singleton=1, defaults={"current": timezone.localdate()})
    return BusinessDate.objects.select_for_update().get(singleton=1)


@transaction.atomic
def business_date_initialise(*, date: dt.date, actor: Any = None) -> BusinessDate:
    """Create the business-date row if it is missing (first set-up); an existing date is left alone."""
    row, created = BusinessDate.objects.get_or_create(singleton=1, defaults={"current": date})
    if created:
        audit_event(actor, "business_date.initialised", row, {"before": None, "after": {"current": date}})
    return row


@transaction.atomic
def business_date_set(
    *, new_date: dt.date, actor: Any, reason: str, request: HttpRequest | None = None, system: bool = False
) -> BusinessDate:
    """An administrator (``core.change_businessdate``) sets the date, giving a reason.

    ``system=True`` is the operator at the shell (``manage.py business_date --set``): no user, still audited and
    still needing a reason.
    """
    if not system and not (actor is not None and actor.has_perm("core.change_businessdate")):
        raise PermissionDenied()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give a reason for changing the business date.")]})
    row = _locked_row()
    before = row.current
    if abs(new_date - before) > MAX_MANUAL_JUMP:
        raise ValidationFailed(fields={"date": [_("The business date can move at most 366 days at a time.")]})
    if new_date == before:
        raise Conflict(_("The business date is already %(date)s.") % {"date": before.isoformat()})
    row.current = new_date
    row.save(update_fields=["current", "updated_at"])
    data = {
        "from": before,
        "to": new_date,
        "reason": reason,
        "before": {"current": before},
        "after": {"current": new_date},
    }
    audit_event(actor, "business_date.set", row, data, request)
    return row


@transaction.atomic
def business_date_advance(*, to_date: dt.date, actor: Any = None) -> BusinessDate:
    """The end-of-day job moves the date forward; going back or standing still is a Conflict."""
    row = _locked_row()
    before = row.current
    if to_date <= before:
        raise Conflict(_("The business date only moves forward (now %(date)s).") % {"date": before.isoformat()})
    row.current = to_date
    row.save(update_fields=["current", "updated_at"])
    data = {"from": before, "to": to_date, "before": {"current": before}, "after": {"current": to_date}}
    audit_event(actor, "business_date.advanced", row, data)
    return row


def _require_calendar(actor: Any) -> None:
    """Users need ``core.manage_calendar``; ``actor=None`` is the system (commands, demo data)."""
    if actor is not None and not actor.has_perm("core.manage_calendar"):
        raise PermissionDenied()


def _day_data(day: CalendarDay) -> dict[str, Any]:
    return {"date": day.date, "kind": day.kind, "name": day.name}


@transaction.atomic
def calendar_day_add(
    *, date: dt.date, kind: str, name: str, actor: Any, request: HttpRequest | None = None
) -> CalendarDay:
    """Mark one date as a holiday or an adjusted working day (a Saturday or Sunday); a date has one entry."""
    _require_calendar(actor)
    name = (name or "").strip()
    errors: dict[str, list[Any]] = {}
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = [_("Choose one of the allowed values.")]
    elif kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        errors["kind"] = [_("Only a Saturday or Sunday can be an adjusted working day.")]
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(n)s characters.") % {"n": NAME_MAX_LENGTH}]
    if errors:
        raise ValidationFailed(fields=errors)
    duplicate = Conflict(
        _("%(date)s is already in the calendar; remove that entry first.") % {"date": date.isoformat()}
    )
    if CalendarDay.objects.filter(date=date).exists():
        raise duplicate
    try:
        with transaction.atomic():
            day = CalendarDay.objects.create(date=date, kind=kind, name=name)
    except IntegrityError as exc:
        raise duplicate from exc
    audit_event(actor, "calendar.day_added", day, {"before": None, "after": _day_data(day)}, request)
    return day


@transaction.atomic
def calendar_day_remove(*, day_id: int, actor: Any, request: HttpRequest | None = None) -> None:
    """Remove one calendar entry (the date becomes an ordinary weekday or weekend day again)."""
    _require_calendar(actor)
    day = CalendarDay.objects.select_for_update().filter(pk=day_id).first()
    if day is None:
        raise NotFound()
    audit_event(actor, "calendar.day_removed", day, {"before": _day_data(day), "after": None}, request)
    day.delete()


@transaction.atomic
def calendar_import_year(*, year: int, actor: Any, request: HttpRequest | None = None) -> dict[str, int]:
    """Add the official arrangement of ``year`` (``holidays_cn``); dates already in the calendar are left alone.

    Idempotent: a second import adds nothing and writes no audit event. Names are stored in the default language.
    """
    _require_calendar(actor)
    if year not in ARRANGEMENTS:
        raise ValidationFailed(
            fields={"year": [_("No official arrangement is on file for %(year)s.") % {"year": year}]}
        )
    holidays, workdays = ARRANGEMENTS[year]
    with translation.override(settings.LANGUAGE_CODE):
        wanted = [(d, CalendarDay.Kind.HOLIDAY, str(n)) for d, n in holidays]
        wanted += [(d, CalendarDay.Kind.WORKDAY, str(n)) for d, n in workdays]
    existing = set(CalendarDay.objects.filter(date__in=[d for d, _k, _n in wanted]).values_list("date", flat=True))
    added: dict[str, str] = {}
    for date, kind, name in wanted:
        if date in existing:
            continue
        try:
            with transaction.atomic():
                CalendarDay.objects.create(date=date, kind=kind, name=name)
        except IntegrityError:
            continue
        added[date.isoformat()] = f"{name} ({kind})"
    counts = {"added": len(added), "skipped": len(wanted) - len(added)}
    if added:
        audit_event(actor, "calendar.year_imported", None, {"year": year, **counts, "after": added}, request)
    return counts
