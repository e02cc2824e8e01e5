"""Metrics against hand-computed values."""

import pytest

from loancrm.scoring.metrics import auc, gini, ks, summary


@pytest.mark.parametrize(
    ("labels", "risk", "expected_auc", "expected_ks"),
    [
        ([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1], 0.75, 0.5),  # 3 of 4 bad/good pairs ranked right
        ([1, 1, 0], [3, 2, 1], 1.0, 1.0),
        ([0, 0, 1], [3, 2, 1], 0.0, 1.0),  # reversed: KS is a gap, either way
        ([1, 0], [0.5, 0.5], 0.5, 0.0),  # a tie counts one half and is never split
        ([1, 0, 0, 1, 0], [2, 2, 1, 1, 0], 4 / 6, 1 / 3),  # pairs: 2.5 + 1.5 of 6; gap 1 − 2/3
    ],
)
def test_auc_and_ks_match_hand_computed_values(labels, risk, expected_auc, expected_ks):
    assert auc(labels, risk) == pytest.approx(expected_auc)
    assert ks(labels, risk) == pytest.approx(expected_ks)
    assert gini(labels, risk) == pytest.approx(2 * expected_auc - 1)


def test_summary_rounds_and_counts():
    assert summary([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1]) == {"auc": 0.75, "ks": 0.5, "gini": 0.5, "n": 4}


def test_one_class_is_refused():
    with pytest.raises(ValueError, match="one bad and one good"):
        auc([1, 1], [0.1, 0.2])
