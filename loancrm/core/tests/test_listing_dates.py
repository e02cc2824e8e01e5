"""The list filters' date parameter."""

import datetime as dt

import pytest

from loancrm.core.listing import date_param


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-12-01", dt.date(2026, 12, 1)), ("", None), ("2026-13-01", None), ("12/01/2026", None)],
)
def test_date_param(raw, expected):
    assert date_param(raw) == expected
