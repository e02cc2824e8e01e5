"""Schedule maths, table-driven, in the Asia/Shanghai time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loancrm.jobs.schedule import daily, every, weekly

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
        (daily("03:00"), "2026-11-23 02:59:00", "2026-11-22 03:00:00", "2026-11-23 03:00:00"),
        (daily("03:00"), "2026-11-23 03:00:00", "2026-11-23 03:00:00", "2026-11-24 03:00:00"),
        (weekly((0,), "08:30"), "2026-11-25 12:00:00", "2026-11-23 08:30:00", "2026-11-30 08:30:00"),
        (weekly((4, 0), "18:00"), "2026-11-23 17:00:00", "2026-11-20 18:00:00", "2026-11-23 18:00:00"),
    ],
)
def test_latest_and_next_slots(spec, now, latest, following):
    assert spec.latest_slot(at(now), TZ) == at(latest)
    assert spec.next_slot(at(now), TZ) == at(following)


def test_utc_input_is_read_in_the_local_zone():
    utc_now = dt.datetime(2026, 11, 22, 19, 1, tzinfo=dt.UTC)  # 03:01 in Shanghai on the 23rd
    assert daily("03:00").latest_slot(utc_now, TZ) == at("2026-11-23 03:00:00")


@pytest.mark.parametrize("minutes", [0, 7, 25, 1441])
def test_every_needs_a_divisor_of_the_day(minutes):
    with pytest.raises(ValueError):
        every(minutes)


def test_weekly_needs_valid_weekdays():
    with pytest.raises(ValueError):
        weekly((), "08:00")
    with pytest.raises(ValueError):
        weekly((7,), "08:00")
