"""The simulator is deterministic and spreads synthetic ID numbers over realistic risk profiles."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loancrm.core.china_ids import id_check_digit
from loancrm.externaldata.providers import ProviderTimeout, ProviderUnavailable, to_json
from loancrm.externaldata.simulator import Simulator, band_of


def synthetic_ids(count: int) -> list[str]:
    ids = []
    for n in range(count):
        first17 = f"110105{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        ids.append(first17 + id_check_digit(first17))
    return ids


def test_same_key_same_answer():
    key = synthetic_ids(1)[0]
    a, b = Simulator(), Simulator()
    assert a.bureau(key, timeout_s=1) == b.bureau(key, timeout_s=1)
    assert a.multi_lending(key, timeout_s=1) == b.multi_lending(key, timeout_s=1)
    assert a.court(key, timeout_s=1) == b.court(key, timeout_s=1)


def test_spread_over_two_thousand_id_numbers():
    sim, keys = Simulator(), synthetic_ids(2000)
    bureaus = [sim.bureau(k, timeout_s=1) for k in keys]
    overdue = sum(1 for b in bureaus if b.max_overdue_months > 0) / len(keys)
    severe = sum(1 for k in keys if band_of(k) == "severe") / len(keys)
    courts = sum(1 for k in keys if sim.court(k, timeout_s=1).enforcement_count > 0) / len(keys)
    hits = sum(1 for k in keys if (h := sim.blacklist(k, timeout_s=1)).internal_hit or h.external_hit) / len(keys)
    multi = [sim.multi_lending(k, timeout_s=1) for k in keys]
    assert 0.15 <= overdue <= 0.25  # ~15 % some history + ~5 % severe
    assert 0.03 <= severe <= 0.07 and courts == severe and hits == severe
    assert sum(1 for m in multi if m.count_3m == 0) / len(keys) > 0.5  # skewed towards none
    assert max(m.count_6m for m in multi) >= 6
    assert all(m.count_6m >= m.count_3m for m in multi)
    assert all(b.inquiries_1m <= b.inquiries_3m <= b.inquiries_6m for b in bureaus)
    assert all(b.overdue_accounts <= b.open_accounts <= b.accounts for b in bureaus)


def test_results_serialise_decimals_as_strings():
    result = Simulator().bureau(synthetic_ids(1)[0], timeout_s=1)
    data = to_json(result)
    assert isinstance(data["outstanding_debt"], str)
    assert Decimal(data["outstanding_debt"]) == result.outstanding_debt


def test_failure_knobs():
    key = synthetic_ids(1)[0]
    sim = Simulator(fail_first=1, failure=ProviderUnavailable)
    with pytest.raises(ProviderUnavailable):
        sim.bureau(key, timeout_s=1)
    assert sim.bureau(key, timeout_s=1).accounts >= 0
    with pytest.raises(ProviderTimeout):
        Simulator(latency_s=5).bureau(key, timeout_s=3)
