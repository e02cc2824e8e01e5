"""Routing, assignment, SLA countdown and audio sniffing: pure functions, table-driven, no database."""

from __future__ import annotations

import datetime as dt
import io
import wave
from decimal import Decimal as D  # noqa: N817

import pytest

from loancrm.underwriting.audio import AMR, M4A, MP3, OGG, WAV, sniff_audio, tone_wav
from loancrm.underwriting.routing import Facts, RuleSpec, pick_by_workload, pick_round_robin, route
from loancrm.underwriting.sla import OK, OVERDUE, SOON, countdown

RULES = [
    RuleSpec(id=1, team_id=10, priority=10, unit_path="1/3/"),  # Shanghai branch → SH team
    RuleSpec(id=2, team_id=20, priority=20, min_amount=D("200000.01")),  # above 200,000 → senior team
    RuleSpec(id=3, team_id=30, priority=30, product_codes=("CAR",), risk_levels=("high",)),  # risky car loans
    RuleSpec(id=4, team_id=40, priority=5, active=False),  # inactive: never
    RuleSpec(id=5, team_id=50, priority=999, is_default=True),
]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(D("50000"), "CONSUMER", "low", ("1/3/9/",)), 1),
        (Facts(D("500000"), "CONSUMER", "low", ("1/3/9/",)), 1),  # priority: the branch rule first
        (Facts(D("500000"), "CONSUMER", "low", ("1/2/7/",)), 2),
        (Facts(D("200000.00"), "CONSUMER", "low", ("1/2/7/",)), 5),  # the band's lower bound is exclusive here
        (Facts(D("80000"), "CAR", "high", ("1/2/",)), 3),
        (Facts(D("80000"), "CAR", "medium", ("1/2/",)), 5),
        (Facts(D("80000"), "MORTGAGE", "high", ()), 5),
        (Facts(D("80000"), "CONSUMER", "low", ("", "1/3/")), 1),  # the customer's unit counts too
    ],
)
def test_route_picks_the_first_matching_rule_by_priority_else_the_default(facts, expected):
    assert route(RULES, facts).id == expected


def test_route_without_a_default_and_no_match_is_none():
    assert route(RULES[:3], Facts(D("1000"), "CONSUMER", "low", ())) is None
    assert route([], Facts(D("1000"), "CONSUMER", "low", ())) is None


@pytest.mark.parametrize(
    ("members", "load", "expected"),
    [([3, 1, 2], {1: 2, 2: 0, 3: 1}, 2), ([3, 1, 2], {}, 1), ([5, 4], {4: 3, 5: 3}, 4), ([], {}, None)],
)
def test_workload_picks_the_fewest_open_cases_then_the_lowest_id(members, load, expected):
    assert pick_by_workload(members, load) == expected


@pytest.mark.parametrize(
    ("members", "last", "expected"),
    [([1, 2, 3], None, 1), ([1, 2, 3], 1, 2), ([3, 2, 1], 3, 1), ([1, 5, 9], 6, 9), ([], 3, None)],
)
def test_round_robin_takes_the_member_after_the_last_wrapping_around(members, last, expected):
    assert pick_round_robin(members, last) == expected


NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("due", "state", "text"),
    [
        (NOW + dt.timedelta(hours=5, minutes=30), OK, "5h 30m"),
        (NOW + dt.timedelta(minutes=90), SOON, "1h 30m"),
        (NOW + dt.timedelta(minutes=7), SOON, "7m"),
        (NOW - dt.timedelta(minutes=61), OVERDUE, "1h 01m"),
        (NOW + dt.timedelta(days=2, hours=3), OK, "2d 3h"),
    ],
)
def test_countdown_states_and_text(due, state, text):
    badge = countdown(due, NOW, remind_before=dt.timedelta(hours=2))
    assert (badge.state, badge.text) == (state, text)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", WAV),
        (b"ID3\x03\x00", MP3),
        (b"\xff\xfb\x90\x00", MP3),
        (b"\x00\x00\x00\x20ftypM4A ", M4A),
        (b"OggS\x00\x02", OGG),
        (b"#!AMR\n\x00", AMR),
        (b"%PDF-1.7", None),
        (b"\x89PNG\r\n\x1a\n", None),
        (b"", None),
    ],
)
def test_sniff_audio_reads_the_leading_bytes(head, kind):
    assert sniff_audio(head) == kind


def test_tone_wav_is_a_valid_one_second_mono_wav():
    data = tone_wav(seconds=1.0, rate=8000)
    assert sniff_audio(data) == WAV
    with wave.open(io.BytesIO(data)) as read:
        assert (read.getnchannels(), read.getsampwidth(), read.getframerate(), read.getnframes()) == (1, 2, 8000, 8000)
