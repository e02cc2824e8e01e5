"""The business date and the calendar services: reads, audited writes, refusals that write nothing, the command."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from loancrm.accounts.models import User
from loancrm.core import services
from loancrm.core.business_date import (
    current_business_date,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_calendar,
)
from loancrm.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent, BusinessDate, CalendarDay

D = dt.date
pytestmark = pytest.mark.django_db


def user_with(username: str, *, group: str | None = None, perms: tuple[str, ...] = ()) -> User:
    user = User.objects.create_user(username, "pw-long-enough-1", full_name=username)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def initialised():
    return services.business_date_initialise(date=D(2026, 11, 23), actor=None)


@pytest.fixture
def admin():
    return user_with("boss", perms=("core.change_businessdate",))


@pytest.fixture
def ops():
    return user_with("ops", group="role:operations")


def audit_rows(prefix: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("id"))


# Reading


def test_an_unset_business_date_reads_as_today():
    assert current_business_date() == timezone.localdate()
    assert not BusinessDate.objects.exists()


def test_initialise_creates_the_row_once_and_audits_it(initialised):
    again = services.business_date_initialise(date=D(2030, 1, 1), actor=None)
    assert again.current == D(2026, 11, 23) == current_business_date()
    [event] = audit_rows("business_date.")
    assert (event.action, event.actor_repr) == ("business_date.initialised", "system")
    assert event.data == {"before": None, "after": {"current": "2026-11-23"}}


def test_the_calendar_is_read_from_calendar_days():
    CalendarDay.objects.create(date=D(2026, 11, 24), kind="holiday", name="司庆")
    CalendarDay.objects.create(date=D(2026, 11, 28), kind="workday", name="调休")
    CalendarDay.objects.create(date=D(2027, 1, 1), kind="holiday", name="元旦")
    assert not is_working_day(D(2026, 11, 24))
    assert is_working_day(D(2026, 11, 28))
    assert next_working_day(D(2026, 11, 23)) == D(2026, 11, 25)
    assert next_working_day(D(2026, 11, 27)) == D(2026, 11, 28)
    assert previous_working_day(D(2026, 11, 25)) == D(2026, 11, 23)
    assert next_working_day(D(2026, 12, 31)) == D(2027, 1, 4)
    calendar = working_calendar()
    assert (calendar.holidays, calendar.workdays) == ({D(2026, 11, 24), D(2027, 1, 1)}, {D(2026, 11, 28)})
    assert working_calendar((2027, 2027)).holidays == {D(2027, 1, 1)}
    assert working_calendar((2025, 2025)).holidays == frozenset()


# Setting (administrators) and advancing (end of day)


def test_an_administrator_sets_the_date_with_a_reason(initialised, admin):
    row = services.business_date_set(new_date=D(2026, 11, 25), actor=admin, reason="  补跑日终  ")
    assert row.current == D(2026, 11, 25) == current_business_date()
    event = AuditEvent.objects.get(action="business_date.set")
    assert event.actor == admin
    assert event.data == {
        "from": "2026-11-23",
        "to": "2026-11-25",
        "reason": "补跑日终",
        "before": {"current": "2026-11-23"},
        "after": {"current": "2026-11-25"},
    }


@pytest.mark.parametrize(
    ("actor_kind", "new_date", "reason", "error", "field"),
    [
        ("ops", D(2026, 11, 25), "补跑", PermissionDenied, None),
        ("none", D(2026, 11, 25), "补跑", PermissionDenied, None),
        ("admin", D(2026, 11, 25), "", ValidationFailed, "reason"),
        ("admin", D(2026, 11, 25), "   ", ValidationFailed, "reason"),
        ("admin", D(2027, 11, 25), "too far", ValidationFailed, "date"),
        ("admin", D(2025, 11, 21), "too far back", ValidationFailed, "date"),
        ("admin", D(2026, 11, 23), "same", Conflict, None),
    ],
)
def test_refused_sets_write_nothing(initialised, admin, ops, actor_kind, new_date, reason, error, field):
    actor = {"ops": ops, "admin": admin, "none": None}[actor_kind]
    before = AuditEvent.objects.count()
    with pytest.raises(error) as info:
        services.business_date_set(new_date=new_date, actor=actor, reason=reason)
    if field:
        assert list(info.value.fields) == [field]
    assert current_business_date() == D(2026, 11, 23)
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action="business_date.set").exists()


@pytest.mark.parametrize("new_date", [D(2027, 11, 24), D(2025, 11, 22)])
def test_a_set_may_move_exactly_366_days(initialised, admin, new_date):
    services.business_date_set(new_date=new_date, actor=admin, reason="年度切换")
    assert current_business_date() == new_date


def test_the_shell_sets_the_date_as_a_system_action(initialised):
    services.business_date_set(new_date=D(2026, 11, 24), actor=None, reason="迁移", system=True)
    event = AuditEvent.objects.get(action="business_date.set")
    assert (event.actor, event.actor_repr, event.data["reason"]) == (None, "system", "迁移")


def test_advance_moves_only_forward(initialised):
    services.business_date_advance(to_date=D(2026, 11, 24))
    for refused in (D(2026, 11, 24), D(2026, 11, 1)):
        with pytest.raises(Conflict) as info:
            services.business_date_advance(to_date=refused)
        assert "2026-11-24" in str(info.value.message)
    assert current_business_date() == D(2026, 11, 24)
    [event] = audit_rows("business_date.advanced")
    assert event.data == {
        "from": "2026-11-23",
        "to": "2026-11-24",
        "before": {"current": "2026-11-23"},
        "after": {"current": "2026-11-24"},
    }


def test_advance_without_a_row_starts_from_today():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.business_date_advance(to_date=tomorrow)
    assert BusinessDate.objects.get().current == tomorrow


def race(count: int, action: Callable[[], Any]) -> list[str]:
    """Run ``action`` in ``count`` threads at once; the outcome of each: "ok" or the error's class name."""
    barrier, outcomes = threading.Barrier(count), []

    def run() -> None:
        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions: PostgreSQL")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_advances_move_the_date_once():
    services.business_date_initialise(date=D(2026, 11, 23), actor=None)
    outcomes = race(6, lambda: services.business_date_advance(to_date=D(2026, 11, 24)))
    assert outcomes == ["Conflict"] * 5 + ["ok"]
    assert current_business_date() == D(2026, 11, 24)
    assert AuditEvent.objects.filter(action="business_date.advanced").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_adds_of_one_date_give_one_entry_and_conflicts():
    outcomes = race(6, lambda: services.calendar_day_add(date=D(2026, 11, 24), kind="holiday", name="A", actor=None))
    assert outcomes == ["Conflict"] * 5 + ["ok"]
    assert CalendarDay.objects.count() == 1
    assert AuditEvent.objects.filter(action="calendar.day_added").count() == 1


# Calendar entries


def test_adding_and_removing_an_entry_is_audited(ops):
    day = services.calendar_day_add(date=D(2026, 11, 24), kind="holiday", name=" 司庆 ", actor=ops)
    assert (day.date, day.kind, day.name) == (D(2026, 11, 24), "holiday", "司庆")
    services.calendar_day_remove(day_id=day.pk, actor=ops)
    assert not CalendarDay.objects.exists()
    added, removed = audit_rows("calendar.")
    assert (added.action, added.actor, added.target_id) == ("calendar.day_added", ops, str(day.pk))
    assert added.data == {"before": None, "after": {"date": "2026-11-24", "kind": "holiday", "name": "司庆"}}
    assert removed.action == "calendar.day_removed"
    assert removed.data == {"before": {"date": "2026-11-24", "kind": "holiday", "name": "司庆"}, "after": None}


def test_a_duplicate_date_is_a_conflict_not_an_integrity_error(ops):
    services.calendar_day_add(date=D(2026, 11, 24), kind="holiday", name="A", actor=ops)
    with pytest.raises(Conflict) as info:
        services.calendar_day_add(date=D(2026, 11, 24), kind="holiday", name="B", actor=ops)
    assert info.value.code == "conflict"
    assert "2026-11-24" in str(info.value.message)
    assert list(CalendarDay.objects.values_list("name", flat=True)) == ["A"]
    assert len(audit_rows("calendar.")) == 1


@pytest.mark.parametrize(
    ("day", "kind", "name", "field"),
    [
        (D(2026, 11, 25), "workday", "调休", "kind"),  # a Wednesday is a working day already
        (D(2026, 11, 28), "halfday", "x", "kind"),
        (D(2026, 11, 28), "workday", "  ", "name"),
        (D(2026, 11, 28), "workday", "x" * 61, "name"),
    ],
)
def test_invalid_entries_are_refused_and_write_nothing(ops, day, kind, name, field):
    with pytest.raises(ValidationFailed) as info:
        services.calendar_day_add(date=day, kind=kind, name=name, actor=ops)
    assert list(info.value.fields) == [field]
    assert not CalendarDay.objects.exists()
    assert not audit_rows("calendar.")


def test_calendar_changes_need_the_permission():
    agent = user_with("agent", group="role:sales_agent")
    day = CalendarDay.objects.create(date=D(2026, 11, 24), kind="holiday", name="A")
    with pytest.raises(PermissionDenied):
        services.calendar_day_add(date=D(2026, 11, 25), kind="holiday", name="B", actor=agent)
    with pytest.raises(PermissionDenied):
        services.calendar_day_remove(day_id=day.pk, actor=agent)
    with pytest.raises(PermissionDenied):
        services.calendar_import_year(year=2026, actor=agent)
    assert list(CalendarDay.objects.values_list("name", flat=True)) == ["A"]
    assert not audit_rows("calendar.")


def test_removing_a_missing_entry_is_not_found(ops):
    with pytest.raises(NotFound):
        services.calendar_day_remove(day_id=999999, actor=ops)
    assert not audit_rows("calendar.")


# Official arrangements


def test_import_is_idempotent_and_leaves_existing_dates_alone(ops):
    CalendarDay.objects.create(date=D(2026, 2, 16), kind="holiday", name="公司自定")
    first = services.calendar_import_year(year=2026, actor=ops)
    second = services.calendar_import_year(year=2026, actor=ops)
    assert first == {"added": 38, "skipped": 1}
    assert second == {"added": 0, "skipped": 39}
    assert CalendarDay.objects.filter(date__year=2026).count() == 39
    assert CalendarDay.objects.filter(kind="workday").count() == 6
    assert CalendarDay.objects.get(date=D(2026, 2, 16)).name == "公司自定"
    [event] = audit_rows("calendar.year_imported")
    assert (event.actor, event.data["year"], event.data["added"], event.data["skipped"]) == (ops, 2026, 38, 1)
    assert len(event.data["after"]) == 38 and "2026-02-16" not in event.data["after"]


def test_import_2025_and_working_days_follow(ops):
    assert services.calendar_import_year(year=2025, actor=None) == {"added": 33, "skipped": 0}
    assert is_working_day(D(2025, 1, 26)) and not is_working_day(D(2025, 10, 8))
    assert next_working_day(D(2025, 1, 27)) == D(2025, 2, 5)


def test_imported_names_are_stored_in_the_default_language(settings):
    settings.LANGUAGE_CODE = "en"
    services.calendar_import_year(year=2026, actor=None)
    names = dict(CalendarDay.objects.values_list("date", "name"))
    assert names[D(2026, 1, 1)] == "New Year's Day"
    assert names[D(2026, 2, 15)] == "Spring Festival"
    assert names[D(2026, 2, 14)] == "Adjusted working day"
    assert names[D(2026, 4, 5)] == "Qingming Festival"
    assert names[D(2026, 5, 1)] == "Labour Day"
    assert names[D(2026, 6, 19)] == "Dragon Boat Festival"
    assert names[D(2026, 9, 25)] == "Mid-Autumn Festival"
    assert names[D(2026, 10, 1)] == "National Day"


def test_a_year_without_an_arrangement_is_refused():
    with pytest.raises(ValidationFailed) as info:
        services.calendar_import_year(year=1999, actor=None)
    assert list(info.value.fields) == ["year"]
    assert not CalendarDay.objects.exists()


# The command


def test_command_prints_exactly_the_date(initialised, capsys):
    call_command("business_date")
    assert capsys.readouterr().out == "2026-11-23\n"


def test_command_prints_today_before_initialisation(capsys):
    call_command("business_date")
    assert capsys.readouterr().out == f"{timezone.localdate().isoformat()}\n"


def test_command_sets_the_date_with_a_reason(initialised, capsys):
    call_command("business_date", "--set", "2026-11-24", "--reason", "系统切换")
    assert capsys.readouterr().out == "2026-11-24\n"
    event = AuditEvent.objects.get(action="business_date.set")
    assert (event.actor_repr, event.data["from"], event.data["to"], event.data["reason"]) == (
        "system",
        "2026-11-23",
        "2026-11-24",
        "系统切换",
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--set", "2026-11-24"),
        ("--set", "2026-11-24", "--reason", " "),
        ("--set", "24/11/2026", "--reason", "x"),
        ("--set", "20261124", "--reason", "x"),
        ("--set", "2026-11-23", "--reason", "same day"),
        ("--reason", "without a date"),
        ("--import-holidays", "1999"),
    ],
)
def test_command_refusals_write_nothing(initialised, args):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError):
        call_command("business_date", *args)
    assert current_business_date() == D(2026, 11, 23)
    assert AuditEvent.objects.count() == before
    assert not CalendarDay.objects.exists()


def test_command_imports_holidays(initialised, capsys):
    call_command("business_date", "--import-holidays", "2026")
    out, err = capsys.readouterr()
    assert out == "2026-11-23\n"
    assert err == "holidays 2026: 39 added, 0 skipped\n"
    assert CalendarDay.objects.count() == 39
