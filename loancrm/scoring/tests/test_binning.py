"""Binning: monotonic WOE, every value in exactly one bin, missing and unseen values, finite WOE on empty cells."""

import itertools
import math
import random

from hypothesis import given
from hypothesis import strategies as st

from loancrm.scoring.binning import BinningOptions, bin_categorical, bin_numeric
from loancrm.scoring.woe import information_value, woe_values


def _risky_numbers(n=2000, seed=1):
    rng = random.Random(seed)
    values, labels = [], []
    for _ in range(n):
        x = rng.uniform(0, 100)
        values.append(None if rng.random() < 0.1 else f"{x:.2f}")
        labels.append(int(rng.random() < 0.05 + 0.004 * x))
    return values, labels


def test_numeric_bins_have_monotonic_woe_and_minimum_share():
    values, labels = _risky_numbers()
    binning = bin_numeric("x", values, labels)
    ranges = binning.bins[:-1]
    woes = [b.woe for b in ranges]
    assert len(ranges) >= 3
    assert all(a > b for a, b in itertools.pairwise(woes))  # risk rises with x: WOE falls
    assert all(b.count >= 0.03 * len(values) for b in ranges)
    assert ranges[0].lower is None and ranges[-1].upper is None
    assert all(a.upper == b.lower for a, b in itertools.pairwise(ranges))
    assert binning.bins[-1].missing and binning.bins[-1].count == values.count(None)
    assert sum(b.count for b in binning.bins) == len(values)
    assert binning.iv > 0.1


@given(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5)))
def test_every_value_maps_to_exactly_one_bin(value):
    values, labels = _risky_numbers(500)
    binning = bin_numeric("x", values, labels)
    index = binning.index(value)
    chosen = binning.bins[index]
    number = None
    if isinstance(value, float) and math.isfinite(value):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
        number = number if number is not None and math.isfinite(number) else None
    if number is None:
        assert chosen.missing
    else:
        containing = [
            b
            for b in binning.bins[:-1]
            if (b.lower is None or number >= b.lower) and (b.upper is None or number < b.upper)
        ]
        assert containing == [chosen]


def test_small_missing_bin_takes_the_most_conservative_woe():
    values, labels = _risky_numbers(1000)
    values = ["1" if v is None else v for v in values]
    values[0] = None  # one missing row: below the minimum share
    binning = bin_numeric("x", values, labels)
    assert binning.bins[-1].woe == min(b.woe for b in binning.bins[:-1])


def test_categories_group_by_bad_rate_and_rare_and_unseen_are_handled():
    rng = random.Random(3)
    rates = {"a": 0.05, "b": 0.06, "c": 0.3, "d": 0.32, "rare1": 0.5, "rare2": 0.5}
    weights = [30, 30, 20, 18, 1, 1]
    values, labels = [], []
    for _ in range(3000):
        category = rng.choices(list(rates), weights=weights)[0]
        values.append(category if rng.random() > 0.05 else "")
        labels.append(int(rng.random() < rates[category]))
    binning = bin_categorical("c", values, labels, BinningOptions(min_share=0.03, min_z=1.0))
    groups = [set(b.categories) for b in binning.bins[:-1]]
    assert {"a", "b"} in groups
    assert any({"c", "d"} <= g for g in groups)
    assert any({"rare1", "rare2"} <= g for g in groups)  # pooled, then joined to the nearest bad rate
    assert [c for g in groups for c in g].count("a") == 1
    assert binning.bin_for("never seen").missing
    assert binning.bin_for(None).missing and binning.bin_for("  ").missing
    woes = [b.woe for b in binning.bins[:-1]]
    assert woes == sorted(woes, reverse=True)


def test_woe_and_iv_are_finite_with_empty_cells():
    woes = woe_values([10, 0, 5], [0, 10, 5])
    assert all(math.isfinite(w) for w in woes)
    assert woes[0] > 0 > woes[1]
    assert information_value([10, 0, 5], [0, 10, 5]) > 0
    assert information_value([5, 5], [5, 5]) == 0
