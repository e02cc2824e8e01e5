"""Schedule maths, table-driven, in the Asia/Shanghai time zone (no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loancrm.jobs.schedule import daily, due_slots, every, next_slot, weekly

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    ("spec", "now", "latest", "following"),
    [
        (every(1), "2026-11-23 10:15:30", "2026-11-23 10:15:00", "2026-11-23 10:16:00"),
        (every(15), "2026-11-23 10:14:59", "2026-11-23 10:00:00", "2026-11-23 10:15:00"),
        (every(15), "2026-11-23 10:15:00", "2026-11-23 10:15:00", "2026-11-23 10:30:00"),
        (every(60), "2026-11-23 23:59:00", "2026-11-23 23:00:00", "2026-11-24 00:00:00"),
        (every(5), "2026-11-24 00:00:00", "2026-11-24 00:00:00", "2026-11-24 00:05:00"),
        (daily("03:00"), "2026-11-23 02:59:00", "2026-11-22 03:00:00", "2026-11-23 03:00:00"),
        (daily("03:00"), "2026-11-23 03:00:00", "2026-11-23 03:00:00", "2026-11-24 03:00:00"),
        (daily("23:30"), "2026-12-31 23:45:00", "2026-12-31 23:30:00", "2027-01-01 23:30:00"),
        (weekly((0,), "08:30"), "2026-11-25 12:00:00", "2026-11-23 08:30:00", "2026-11-30 08:30:00"),
        (weekly((4, 0), "18:00"), "2026-11-23 17:00:00", "2026-11-20 18:00:00", "2026-11-23 18:00:00"),
    ],
)
def test_latest_and_next_slots(spec, now, latest, following):
    assert spec.latest_slot(at(now), TZ) == at(latest)
    assert next_slot(spec, at(now), TZ) == at(following)


@pytest.mark.parametrize(
    ("spec", "last", "now", "due"),
    [
        # never ran: only the latest slot is due
        (daily("03:00"), None, "2026-11-23 10:00:00", ["2026-11-23 03:00:00"]),
        (every(15), None, "2026-11-23 10:20:00", ["2026-11-23 10:15:00"]),
        # the latest slot already claimed: nothing is due
        (daily("03:00"), "2026-11-23 03:00:00", "2026-11-23 23:59:59", []),
        (every(1), "2026-11-23 10:15:00", "2026-11-23 10:15:59", []),
        # the next slot has come
        (every(1), "2026-11-23 10:15:00", "2026-11-23 10:16:00", ["2026-11-23 10:16:00"]),
        (daily("03:00"), "2026-11-22 03:00:00", "2026-11-23 03:00:01", ["2026-11-23 03:00:00"]),
        # missed slots while the scheduler was down, oldest first (the scheduler starts only the last)
        (
            every(15),
            "2026-11-23 09:30:00",
            "2026-11-23 10:20:00",
            ["2026-11-23 09:45:00", "2026-11-23 10:00:00", "2026-11-23 10:15:00"],
        ),
        (daily("03:00"), "2026-11-20 03:00:00", "2026-11-22 04:00:00", ["2026-11-21 03:00:00", "2026-11-22 03:00:00"]),
        (
            weekly((0, 2), "08:00"),
            "2026-11-16 08:00:00",
            "2026-11-25 09:00:00",
            ["2026-11-18 08:00:00", "2026-11-23 08:00:00", "2026-11-25 08:00:00"],
        ),
        # across midnight
        (every(30), "2026-11-23 23:30:00", "2026-11-24 00:10:00", ["2026-11-24 00:00:00"]),
    ],
)
def test_due_slots(spec, last, now, due):
    assert due_slots(spec, at(last) if last else None, at(now), TZ) == [at(slot) for slot in due]


def test_due_slots_are_bounded_to_the_newest():
    due = due_slots(every(1), at("2026-11-01 00:00:00"), at("2026-11-23 10:00:00"), TZ, limit=3)
    assert due == [at("2026-11-23 09:58:00"), at("2026-11-23 09:59:00"), at("2026-11-23 10:00:00")]


def test_utc_input_is_read_in_the_local_zone():
    utc_now = dt.datetime(2026, 11, 22, 19, 1, tzinfo=dt.UTC)  # 03:01 in Shanghai on the 23rd
    assert daily("03:00").latest_slot(utc_now, TZ) == at("2026-11-23 03:00:00")
    assert due_slots(daily("03:00"), at("2026-11-22 03:00:00"), utc_now, TZ) == [at("2026-11-23 03:00:00")]


def test_before_this_weeks_time_the_latest_weekly_slot_is_last_weeks():
    spec = weekly((0,), "08:30")
    assert spec.latest_slot(at("2026-11-23 08:29:00"), TZ) == at("2026-11-16 08:30:00")


@pytest.mark.parametrize("minutes", [0, 7, 25, 1441])
def test_every_needs_a_divisor_of_the_day(minutes):
    with pytest.raises(ValueError):
        every(minutes)


@pytest.mark.parametrize(("weekdays", "time"), [((), "08:00"), ((7,), "08:00"), ((-1,), "08:00")])
def test_weekly_needs_valid_weekdays(weekdays, time):
    with pytest.raises(ValueError):
        weekly(weekdays, time)


@pytest.mark.parametrize("text", ["25:00", "3pm", ""])
def test_daily_needs_a_valid_time(text):
    with pytest.raises(ValueError):
        daily(text)
