"""The risk level the review and approval stages route on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from loancrm.decisioning.risk import HIGH, LOW, MEDIUM, risk_level, risk_level_of_decision

CUTOFFS = {"auto_approve": 600, "reject_below": 500}


@pytest.mark.parametrize(
    ("score", "cutoffs", "rules_outcome", "expected"),
    [
        (650, CUTOFFS, "approve", LOW),
        (600, CUTOFFS, "approve", LOW),
        (599, CUTOFFS, "approve", MEDIUM),
        (550, CUTOFFS, "approve", MEDIUM),
        (549, CUTOFFS, "approve", HIGH),
        (500, CUTOFFS, "approve", HIGH),
        (650, CUTOFFS, "manual_review", HIGH),
        (650, CUTOFFS, "timeout", HIGH),
        (None, CUTOFFS, "approve", HIGH),
        (650, {}, "approve", HIGH),
        (650, None, "", HIGH),
        (650, {"auto_approve": 600}, "approve", HIGH),
        (560, CUTOFFS, "", MEDIUM),
    ],
)
def test_risk_level(score, cutoffs, rules_outcome, expected):
    assert risk_level(score=score, cutoffs=cutoffs, rules_outcome=rules_outcome) == expected


def test_no_decision_is_high_risk():
    assert risk_level_of_decision(None) == HIGH


def test_decision_fields_are_read():
    decision = SimpleNamespace(score=610, cutoffs=CUTOFFS, rules_outcome="approve")
    assert risk_level_of_decision(decision) == LOW
