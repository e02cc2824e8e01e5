"""Deleting and moving rules of a draft: order kept and renumbered, audited, refused on a published set."""

import pytest

from loancrm.core.errors import ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.rules.errors import RuleSetPublished
from loancrm.rules.models import RuleAction, RuleSet
from loancrm.rules.services import rule_delete, rule_move, rule_save, rule_set_draft_create, rule_set_publish

pytestmark = pytest.mark.django_db


def order(rule_set: RuleSet) -> list[tuple[int, str]]:
    return list(rule_set.rules.order_by("position").values_list("position", "code"))


@pytest.fixture
def draft():
    rule_set = rule_set_draft_create(name="edit-me")
    for code in ("a", "b", "c", "d"):
        rule_save(rule_set=rule_set, code=code, expression="age > 65", action=RuleAction.FLAG, reason_code=code.upper())
    return rule_set


def test_delete_renumbers_the_rest_and_audits(draft):
    b = draft.rules.get(code="b")
    rule_delete(rule_set=draft, rule_id=b.pk)
    assert order(draft) == [(0, "a"), (1, "c"), (2, "d")]
    event = AuditEvent.objects.get(action="rules.rule_deleted")
    assert event.data["code"] == "b" and event.data["position"] == 1 and event.data["expression"] == "age > 65"


@pytest.mark.parametrize(
    ("code", "position", "expected"),
    [
        ("d", 0, ["d", "a", "b", "c"]),
        ("a", 2, ["b", "c", "a", "d"]),
        ("b", 0, ["b", "a", "c", "d"]),
        ("c", 99, ["a", "b", "d", "c"]),
        ("a", -5, ["a", "b", "c", "d"]),
    ],
)
def test_move_places_the_rule_and_renumbers(draft, code, position, expected):
    rule = draft.rules.get(code=code)
    rule_move(rule_set=draft, rule_id=rule.pk, position=position)
    assert order(draft) == list(enumerate(expected))
    event = AuditEvent.objects.get(action="rules.rule_moved")
    assert event.data["code"] == code and event.data["to"] == expected.index(code)


def test_published_set_refuses_delete_and_move_and_keeps_its_rules(draft):
    rule_set_publish(rule_set=draft)
    a = draft.rules.get(code="a")
    with pytest.raises(RuleSetPublished):
        rule_delete(rule_set=draft, rule_id=a.pk)
    with pytest.raises(RuleSetPublished):
        rule_move(rule_set=draft, rule_id=a.pk, position=3)
    assert order(draft) == [(0, "a"), (1, "b"), (2, "c"), (3, "d")]
    assert not AuditEvent.objects.filter(action__in=["rules.rule_deleted", "rules.rule_moved"]).exists()


def test_a_rule_of_another_set_is_refused(draft):
    other = rule_set_draft_create(name="other")
    foreign = rule_save(rule_set=other, code="x", expression="age > 1", action=RuleAction.FLAG, reason_code="X")
    with pytest.raises(ValidationFailed):
        rule_delete(rule_set=draft, rule_id=foreign.pk)
    with pytest.raises(ValidationFailed):
        rule_move(rule_set=draft, rule_id=foreign.pk, position=0)
    assert other.rules.count() == 1 and draft.rules.count() == 4


def test_evaluate_compiles_before_the_clock_starts(draft, monkeypatch):
    """A cold expression cache is not charged to the time budget: the test panel and the first decision after a
    restart get the rules' result, not a timeout."""
    from loancrm.rules import engine
    from loancrm.rules.context import sample_context
    from loancrm.rules.services import rule_set_evaluate

    engine._program.cache_clear()
    compiled = []
    monkeypatch.setattr(engine, "prepare", lambda rules: compiled.extend(r.code for r in rules))
    evaluation = rule_set_evaluate(rule_set=draft, context=sample_context())
    assert compiled == ["a", "b", "c", "d"] and evaluation.outcome == "approve"
