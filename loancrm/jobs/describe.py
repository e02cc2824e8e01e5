"""Human descriptions of schedules (translated)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from loancrm.jobs.schedule import Schedule

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def describe_schedule(schedule: Schedule | None) -> str:
    if schedule is None:
        return _("On demand")
    if schedule.kind == "every" and schedule.minutes == 1:
        return _("Every minute")
    if schedule.kind == "every":
        return _("Every %(n)d minutes") % {"n": schedule.minutes}
    at = schedule.at.strftime("%H:%M")
    if schedule.kind == "daily":
        return _("Daily at %(time)s") % {"time": at}
    days = ", ".join(_(WEEKDAYS[d]) for d in schedule.weekdays)
    return _("Weekly on %(days)s at %(time)s") % {"days": days, "time": at}
