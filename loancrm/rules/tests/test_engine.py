"""check() and evaluate() without a database: table-driven."""

import pytest

from loancrm.rules import engine
from loancrm.rules.context import ContextError, context_from, sample_context
from loancrm.rules.engine import RuleSpec


def ctx(**changes):
    return {**sample_context(), **changes}


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("age < 18 || age > 65", None),
        ('region.startsWith("44") && amount > 100000', None),
        ("debt_to_income > 0.6", None),
        ("age <", "syntax"),
        ("salary > 1000", "unknown"),
        ("age > 1 && bureau_score > 2 && zzz", "unknown"),
        ('age + "x" > 1', "type"),
        ("age + 1", "not_bool"),
        ("   ", "empty"),
    ],
)
def test_check(expression, code):
    problems = engine.check(expression)
    if code is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].split(":")[0] == code


def test_check_names_the_unknown_identifiers():
    assert engine.check("age > 1 && bureau_score > 2 && zzz") == ["unknown: bureau_score, zzz"]


RULES = [
    RuleSpec("old", "age > 65", engine.REJECT, "R_AGE"),
    RuleSpec("multi", "multi_lending_count_3m >= 5", engine.MANUAL_REVIEW, "M_MULTI"),
    RuleSpec("overdue", "overdue_accounts > 0", engine.FLAG, "F_OVERDUE"),
]


@pytest.mark.parametrize(
    ("changes", "outcome", "reasons", "flags"),
    [
        ({}, engine.APPROVE, (), ()),
        ({"overdue_accounts": 1}, engine.APPROVE, (), ("F_OVERDUE",)),
        ({"multi_lending_count_3m": 5, "overdue_accounts": 2}, engine.MANUAL_REVIEW, ("M_MULTI",), ("F_OVERDUE",)),
        ({"age": 70, "multi_lending_count_3m": 9}, engine.REJECT, ("R_AGE",), ()),
    ],
)
def test_outcome_reject_beats_review_beats_flags(changes, outcome, reasons, flags):
    result = engine.evaluate(RULES, ctx(**changes))
    assert (result.outcome, result.reasons, result.flags) == (outcome, reasons, flags)
    assert [r.matched for r in result.results] == [
        (ctx(**changes)["age"] > 65),
        ctx(**changes)["multi_lending_count_3m"] >= 5,
        ctx(**changes)["overdue_accounts"] > 0,
    ]


def test_runtime_error_is_manual_review_with_the_error_recorded():
    rules = [RuleSpec("ratio", "amount / double(age) > 1.0 && 10 / age > 0", engine.FLAG, "F_RATIO"), *RULES]
    result = engine.evaluate(rules, ctx(age=0))
    assert result.outcome == engine.MANUAL_REVIEW
    assert result.reasons == ("F_RATIO",)
    assert result.results[0].matched is False and "division by zero" in result.results[0].error
    assert result.as_dict()["rules"][0]["error"] == result.results[0].error


def test_a_reject_still_wins_over_a_failing_rule():
    rules = [RuleSpec("bad", "10 / age > 0", engine.FLAG, "F_X"), RuleSpec("young", "age < 18", engine.REJECT, "R")]
    assert engine.evaluate(rules, ctx(age=0)).outcome == engine.REJECT


def test_rule_sees_only_its_context():
    rules = [RuleSpec("x", "size(__import__) > 0", engine.REJECT, "R")]
    result = engine.evaluate(rules, ctx())
    assert result.outcome == engine.MANUAL_REVIEW and result.results[0].error


def test_zero_budget_times_out_before_any_rule():
    result = engine.evaluate(RULES, ctx(age=70), budget_ms=0)
    assert result.outcome == engine.TIMEOUT
    assert result.results == () and result.not_run == ("old", "multi", "overdue")


def test_budget_is_checked_between_rules():
    ticks = iter([0.0, 0.0, 0.010, 0.060, 0.061])
    result = engine.evaluate(RULES, ctx(), budget_ms=50, clock=lambda: next(ticks))
    assert result.outcome == engine.TIMEOUT
    assert [r.code for r in result.results] == ["old", "multi"] and result.not_run == ("overdue",)


def test_context_from_validates_types_and_names():
    from decimal import Decimal

    good = context_from(ctx(monthly_income=Decimal("12000.50"), amount=30000))
    assert good["monthly_income"] == 12000.5 and isinstance(good["amount"], float)
    with pytest.raises(ContextError) as caught:
        context_from({**ctx(age="30", region="11", blacklist_hit=1, extra=1), "court_records": True})
    assert caught.value.problems == {
        "age": "type",
        "region": "format",
        "blacklist_hit": "type",
        "court_records": "type",
        "extra": "unknown",
    }
    partial = ctx()
    del partial["product"]
    with pytest.raises(ContextError) as caught:
        context_from(partial)
    assert caught.value.problems == {"product": "missing"}


def test_backtest_figures():
    cases = [
        (ctx(), engine.APPROVE),
        (ctx(age=70), engine.APPROVE),
        (ctx(multi_lending_count_3m=6), engine.APPROVE),
        (ctx(overdue_accounts=1), engine.REJECT),
        (ctx(age=80, multi_lending_count_3m=6), engine.REJECT),
    ]
    report = engine.backtest(RULES, cases)
    assert report.total == 5
    assert (report.approval_rate_before, report.approval_rate_after, report.approval_rate_change) == (0.6, 0.4, -0.2)
    assert report.outcomes_before == {"approve": 3, "reject": 2}
    assert report.outcomes_after == {"approve": 2, "manual_review": 1, "reject": 2}
    assert report.reasons_after == {"M_MULTI": 1, "R_AGE": 2}
    assert report.flags_after == {"F_OVERDUE": 1}
    assert report.changed == [
        {"index": 1, "before": "approve", "after": "reject", "reasons": ["R_AGE"]},
        {"index": 2, "before": "approve", "after": "manual_review", "reasons": ["M_MULTI"]},
        {"index": 3, "before": "reject", "after": "approve", "reasons": []},
    ]


def test_backtest_of_nothing():
    report = engine.backtest(RULES, [])
    assert (report.total, report.approval_rate_before, report.approval_rate_after, report.changed) == (0, 0.0, 0.0, [])
