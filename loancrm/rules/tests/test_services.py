"""Rule-set services on the database: drafts and versions, rule checks, publishing, immutability, evaluation,
backtest and the demo seed."""

import pytest
from django.utils import translation

from loancrm.core.errors import ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.rules import demo, engine
from loancrm.rules.context import sample_context
from loancrm.rules.errors import RuleSetPublished
from loancrm.rules.models import Rule, RuleAction, RuleSet, RuleSetStatus
from loancrm.rules.services import (
    backtest,
    rule_save,
    rule_set_draft_create,
    rule_set_evaluate,
    rule_set_new_version,
    rule_set_publish,
)

pytestmark = pytest.mark.django_db


def add(rule_set, code, expression, action=RuleAction.REJECT, reason="R"):
    return rule_save(rule_set=rule_set, code=code, expression=expression, action=action, reason_code=reason)


@pytest.fixture
def published():
    draft = rule_set_draft_create(name="prescreen")
    add(draft, "old", "age > 65", reason="R_AGE")
    add(draft, "dti", "debt_to_income > 0.6", RuleAction.MANUAL_REVIEW, "M_DTI")
    return rule_set_publish(rule_set=draft)


def test_publish_writes_audit_and_freezes(published):
    assert (published.name, published.version, published.status) == ("prescreen", 1, RuleSetStatus.PUBLISHED)
    assert published.published_at is not None
    event = AuditEvent.objects.get(action="rules.rule_set_published", target_id=str(published.pk))
    assert event.data["rules"] == ["old", "dti"]
    with pytest.raises(RuleSetPublished):
        add(published, "young", "age < 18")
    published.refresh_from_db()
    published.notes = "changed"
    with pytest.raises(RuleSetPublished):
        published.save()
    with pytest.raises(RuleSetPublished):
        published.delete()
    rule = published.rules.get(code="old")
    rule.expression = "age > 70"
    with pytest.raises(RuleSetPublished):
        rule.save()
    with pytest.raises(RuleSetPublished):
        rule.delete()
    with pytest.raises(RuleSetPublished):
        rule_set_publish(rule_set=published)
    assert Rule.objects.get(pk=rule.pk).expression == "age > 65"
    assert AuditEvent.objects.filter(action="rules.rule_set_published").count() == 1


def test_rule_save_refuses_bad_expression_in_chinese():
    draft = rule_set_draft_create(name="s")
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
        add(draft, "x", "salary > 1000")
    assert caught.value.fields["expression"] == ["未知名称：salary。"]
    with pytest.raises(ValidationFailed) as caught:
        rule_save(rule_set=draft, code="", expression="age <", action="ban", reason_code="")
    assert set(caught.value.fields) == {"code", "expression", "action", "reason_code"}
    assert not draft.rules.exists()


def test_rule_save_refuses_duplicate_code_and_updates_in_place():
    draft = rule_set_draft_create(name="s")
    rule = add(draft, "old", "age > 65")
    with pytest.raises(ValidationFailed) as caught:
        add(draft, "old", "age > 70")
    assert "code" in caught.value.fields
    changed = rule_save(
        rule_set=draft, rule_id=rule.pk, code="old", expression="age > 70", action="flag", reason_code="F"
    )
    assert (changed.pk, changed.position, changed.expression, changed.action) == (rule.pk, 0, "age > 70", "flag")
    assert add(draft, "young", "age < 18").position == 1


def test_publish_refuses_empty_and_invalid():
    empty = rule_set_draft_create(name="empty")
    with pytest.raises(ValidationFailed) as caught:
        rule_set_publish(rule_set=empty)
    assert caught.value.code == "rule_set_empty"
    draft = rule_set_draft_create(name="bad")
    add(draft, "old", "age > 65")
    Rule.objects.create(rule_set=draft, position=1, code="broken", expression="age >", action="reject", reason_code="R")
    with pytest.raises(ValidationFailed) as caught:
        rule_set_publish(rule_set=draft)
    assert caught.value.code == "rule_set_invalid" and list(caught.value.fields) == ["broken"]
    assert RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).count() == 0
    assert not AuditEvent.objects.filter(action="rules.rule_set_published").exists()


def test_new_version_copies_a_published_set(published):
    draft = rule_set_new_version(source=published, notes="v2")
    assert (draft.name, draft.version, draft.status) == ("prescreen", 2, RuleSetStatus.DRAFT)
    assert list(draft.rules.values_list("position", "code", "expression")) == [
        (0, "old", "age > 65"),
        (1, "dti", "debt_to_income > 0.6"),
    ]
    with pytest.raises(ValidationFailed):
        rule_set_new_version(source=draft)
    assert rule_set_draft_create(name="prescreen").version == 3


def test_evaluate_and_backtest_validate_the_context(published):
    result = rule_set_evaluate(rule_set=published, context={**sample_context(), "debt_to_income": 0.7})
    assert (result.outcome, result.reasons) == (engine.MANUAL_REVIEW, ("M_DTI",))
    with pytest.raises(ValidationFailed) as caught:
        rule_set_evaluate(rule_set=published, context={**sample_context(), "age": "70", "other": 1})
    assert set(caught.value.fields) == {"age", "other"}
    draft = rule_set_new_version(source=published)
    add(draft, "young", "age < 25", reason="R_YOUNG")
    report = backtest(
        rule_set=draft,
        cases=[({**sample_context(), "age": 20}, "approve"), (sample_context(), "approve")],
    )
    assert (report.approval_rate_before, report.approval_rate_after) == (1.0, 0.5)
    assert report.reasons_after == {"R_YOUNG": 1}


def test_demo_seed_is_idempotent():
    assert demo.seed() == []
    demo.seed()
    rule_set = RuleSet.objects.get(name=demo.DEMO_NAME)
    assert (rule_set.version, rule_set.status) == (1, RuleSetStatus.PUBLISHED)
    assert rule_set.rules.count() == len(demo.DEMO_RULES)
    young = rule_set_evaluate(rule_set=rule_set, context={**sample_context(), "age": 17, "overdue_accounts": 1})
    assert (young.outcome, young.reasons, young.flags) == (engine.REJECT, ("R01_AGE",), ("F01_OVERDUE",))
