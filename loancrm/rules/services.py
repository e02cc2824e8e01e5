"""Rule-set writes and uses: create a draft or a new version, save, delete or move a rule, publish, evaluate,
backtest.

Every write runs in one transaction with the rule set locked; a published set is refused (``RuleSetPublished``).
Bad input raises ``ValidationFailed`` with Chinese-by-default messages per field; a refused write leaves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import ValidationFailed
from loancrm.rules import engine
from loancrm.rules.context import ContextError, context_from
from loancrm.rules.errors import RuleSetPublished
from loancrm.rules.models import Rule, RuleAction, RuleSet, RuleSetStatus


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _syntax_detail(detail: str) -> str:
    """The parser's position and complaint without its token list: "line 1, column 7: mismatched input '<EOF>'"."""
    found = re.search(r"<input>:(\d+):(\d+): (?:Syntax error: )?(.*)", detail)
    if found is None:
        return detail
    line, column, text = found.groups()
    return _("line %(line)s, column %(column)s: %(text)s") % {
        "line": line,
        "column": column,
        "text": text.split(" expecting ")[0].strip(),
    }


def expression_problems(expression: str) -> list[str]:
    """The messages of ``engine.check`` in the active language."""
    messages = {
        "empty": _("Enter an expression."),
        "syntax": _("The expression cannot be read: %(detail)s"),
        "unknown": _("Unknown names: %(detail)s."),
        "type": _("The expression fails on a sample application: %(detail)s"),
        "not_bool": _("The expression must give true or false."),
    }
    problems = []
    for problem in engine.check(expression):
        code, _sep, detail = problem.partition(": ")
        if code == "syntax":
            detail = _syntax_detail(detail)
        problems.append(messages[code] % {"detail": detail} if "%(detail)s" in messages[code] else messages[code])
    return problems


def _context(mapping: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return context_from(mapping)
    except ContextError as exc:
        messages = {
            "missing": _("This field is required."),
            "unknown": _("Unknown name."),
            "type": _("The value has the wrong type."),
            "format": _("Enter a 6-digit region code."),
        }
        raise ValidationFailed(fields={name: [messages[code]] for name, code in exc.problems.items()}) from exc


def _next_version(name: str) -> int:
    latest = RuleSet.objects.select_for_update().filter(name=name).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def _locked_draft(rule_set: RuleSet) -> RuleSet:
    locked = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if locked.status == RuleSetStatus.PUBLISHED:
        raise RuleSetPublished()
    return locked


@transaction.atomic
def rule_set_draft_create(*, name: str, notes: str = "", actor: Any = None) -> RuleSet:
    """A new empty draft: the next version of ``name`` (version 1 for a new name)."""
    name = name.strip()
    if not name:
        raise ValidationFailed(fields={"name": [_("This field is required.")]})
    return RuleSet.objects.create(
        name=name[:100], version=_next_version(name), notes=notes.strip(), created_by=_user(actor)
    )


@transaction.atomic
def rule_set_new_version(*, source: RuleSet, notes: str = "", actor: Any = None) -> RuleSet:
    """A draft copy of a published rule set, with its rules, as the next version of its name."""
    if source.status != RuleSetStatus.PUBLISHED:
        raise ValidationFailed(_("Only a published rule set can be the start of a new version."))
    draft = RuleSet.objects.create(
        name=source.name, version=_next_version(source.name), notes=notes.strip(), created_by=_user(actor)
    )
    Rule.objects.bulk_create(
        Rule(
            rule_set=draft,
            position=rule.position,
            code=rule.code,
            expression=rule.expression,
            action=rule.action,
            reason_code=rule.reason_code,
            description=rule.description,
        )
        for rule in source.rules.order_by("position")
    )
    return draft


@transaction.atomic
def rule_save(
    *,
    rule_set: RuleSet,
    code: str,
    expression: str,
    action: str,
    reason_code: str,
    description: str = "",
    position: int | None = None,
    rule_id: int | None = None,
    actor: Any = None,
) -> Rule:
    """Add a rule to a draft, or change one (``rule_id``); the expression must pass ``engine.check``."""
    locked = _locked_draft(rule_set)
    code, expression, reason_code = code.strip(), expression.strip(), reason_code.strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("This field is required.")]
    elif locked.rules.filter(code=code).exclude(pk=rule_id or 0).exists():
        errors["code"] = [_("A rule with this code exists in the rule set.")]
    if action not in RuleAction.values:
        errors["action"] = [_("Choose one of the allowed values.")]
    if not reason_code:
        errors["reason_code"] = [_("This field is required.")]
    if problems := expression_problems(expression):
        errors["expression"] = problems
    if errors:
        raise ValidationFailed(fields=errors)
    if rule_id:
        rule = Rule.objects.filter(pk=rule_id, rule_set=locked).first()
        if rule is None:
            raise ValidationFailed(_("The rule is not in this rule set."))
    else:
        last = locked.rules.aggregate(p=Max("position"))["p"]
        rule = Rule(rule_set=locked, position=(last + 1) if last is not None else 0)
    if position is not None:
        rule.position = position
    rule.code, rule.expression, rule.action = code[:50], expression, action
    rule.reason_code, rule.description = reason_code[:50], description.strip()[:200]
    rule.save()
    return rule


def _rule_of(locked: RuleSet, rule_id: int) -> Rule:
    rule = Rule.objects.filter(pk=rule_id, rule_set=locked).first()
    if rule is None:
        raise ValidationFailed(_("The rule is not in this rule set."))
    return rule


def _renumber(locked: RuleSet, ordered: list[Rule]) -> None:
    changed = []
    for index, rule in enumerate(ordered):
        if rule.position != index:
            rule.position = index
            changed.append(rule)
    Rule.objects.bulk_update(changed, ["position"])


@transaction.atomic
def rule_delete(*, rule_set: RuleSet, rule_id: int, actor: Any = None) -> None:
    """Remove a rule from a draft; the remaining rules keep their order, numbered from 0 again."""
    locked = _locked_draft(rule_set)
    rule = _rule_of(locked, rule_id)
    snapshot = {"code": rule.code, "expression": rule.expression, "action": rule.action, "position": rule.position}
    rule.delete()
    _renumber(locked, list(locked.rules.order_by("position", "pk")))
    audit_event(actor, "rules.rule_deleted", locked, {"name": locked.name, "version": locked.version, **snapshot})


@transaction.atomic
def rule_move(*, rule_set: RuleSet, rule_id: int, position: int, actor: Any = None) -> Rule:
    """Move a draft's rule to ``position`` (0-based, clamped to the set) and number all rules 0, 1, 2 … again."""
    locked = _locked_draft(rule_set)
    rule = _rule_of(locked, rule_id)
    ordered = [other for other in locked.rules.order_by("position", "pk") if other.pk != rule.pk]
    before = rule.position
    target = max(0, min(position, len(ordered)))
    ordered.insert(target, rule)
    _renumber(locked, ordered)
    audit_event(
        actor,
        "rules.rule_moved",
        locked,
        {"name": locked.name, "version": locked.version, "code": rule.code, "from": before, "to": target},
    )
    return rule


# Further checks before publishing, registered by other modules (decisioning: a backtest of the draft as it is).
_publish_checks: list[Callable[[RuleSet], None]] = []


def add_publish_check(check: Callable[[RuleSet], None]) -> None:
    """Register ``check(rule_set)``, which raises a ``DomainError`` to refuse publishing."""
    if check not in _publish_checks:
        _publish_checks.append(check)


@transaction.atomic
def rule_set_publish(*, rule_set: RuleSet, actor: Any = None) -> RuleSet:
    """Draft → published (then immutable); refuses an empty set, one with a rule that fails ``check``, or one a
    registered publish check refuses."""
    locked = _locked_draft(rule_set)
    rules = list(locked.rules.order_by("position"))
    if not rules:
        raise ValidationFailed(_("A rule set without rules cannot be published."), code="rule_set_empty")
    invalid = {rule.code: problems for rule in rules if (problems := expression_problems(rule.expression))}
    if invalid:
        raise ValidationFailed(
            _("Correct the invalid rules before publishing."), fields=invalid, code="rule_set_invalid"
        )
    for check in list(_publish_checks):
        check(locked)
    locked.status = RuleSetStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = _user(actor)
    locked.save(update_fields=["status", "published_at", "published_by"])
    audit_event(
        actor,
        "rules.rule_set_published",
        locked,
        {"name": locked.name, "version": locked.version, "rules": [r.code for r in rules]},
    )
    return locked


def rule_set_evaluate(
    *, rule_set: RuleSet, context: Mapping[str, Any], budget_ms: float = engine.DEFAULT_BUDGET_MS
) -> engine.Evaluation:
    """The evaluation of ``rule_set`` (draft or published) on a validated application context; compiling the
    expressions is not counted against ``budget_ms``."""
    rules = list(rule_set.rules.order_by("position"))
    engine.prepare(rules)
    return engine.evaluate(rules, _context(context), budget_ms=budget_ms)


def backtest(
    *,
    rule_set: RuleSet,
    cases: Sequence[tuple[Mapping[str, Any], str]],
    budget_ms: float = engine.DEFAULT_BUDGET_MS,
) -> engine.BacktestReport:
    """``engine.backtest`` of ``rule_set`` on (context, past outcome) pairs, each context validated first."""
    rules = list(rule_set.rules.order_by("position"))
    return engine.backtest(rules, [(_context(context), old) for context, old in cases], budget_ms=budget_ms)
