"""Rule evaluation over the application context (pure, no Django).

``check`` tells whether an expression may be saved: it must parse, use only context names (``context.FIELDS``)
and give a boolean on a context of typed sample values. ``evaluate`` runs a rule set in position order and gives
each rule's result and the outcome: ``reject`` when a reject rule matched, else ``manual_review`` when a
manual-review rule matched or a rule failed at run time (a failing rule is never passed silently), else
``approve``; matched flag rules are listed whatever the outcome. The whole set has a time budget, looked at
before each rule: when it is spent the outcome is ``timeout`` and the remaining rules are not run. CEL is not
Turing-complete (no loops or recursion), so a single rule ends; it is given a copy of the context and no
functions beyond CEL's own, so it can reach nothing else.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import cel

from loancrm.rules.context import FIELD_BY_NAME, sample_context

REJECT = "reject"
MANUAL_REVIEW = "manual_review"
FLAG = "flag"
ACTIONS = (REJECT, MANUAL_REVIEW, FLAG)

APPROVE = "approve"
TIMEOUT = "timeout"

DEFAULT_BUDGET_MS = 50

CEL_ERRORS = (ValueError, RuntimeError, TypeError, ArithmeticError)


class RuleLike(Protocol):
    """What ``evaluate`` needs of a rule (the ``Rule`` model and ``RuleSpec`` both have it)."""

    @property
    def code(self) -> str: ...
    @property
    def expression(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def reason_code(self) -> str: ...


@dataclass(frozen=True)
class RuleSpec:
    code: str
    expression: str
    action: str
    reason_code: str


@dataclass(frozen=True)
class RuleResult:
    code: str
    action: str
    reason_code: str
    matched: bool
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "action": self.action,
            "reason_code": self.reason_code,
            "matched": self.matched,
            "error": self.error,
        }


@dataclass(frozen=True)
class Evaluation:
    outcome: str
    results: tuple[RuleResult, ...]
    reasons: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    not_run: tuple[str, ...] = ()
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "flags": list(self.flags),
            "not_run": list(self.not_run),
            "elapsed_ms": round(self.elapsed_ms, 3),
            "rules": [result.as_dict() for result in self.results],
        }


@lru_cache(maxsize=2048)
def _program(expression: str) -> Any:
    return cel.compile(expression)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:200]


def check(expression: str) -> list[str]:
    """Problems of an expression, empty when it may be saved.

    Each problem is ``"<code>: <detail>"`` with code ``empty``, ``syntax``, ``unknown`` (detail: the unknown
    names, comma-separated), ``type`` or ``not_bool``; services turn them into messages.
    """
    if not expression.strip():
        return ["empty: "]
    try:
        program = _program(expression)
    except CEL_ERRORS as exc:
        return [f"syntax: {_first_line(exc)}"]
    unknown = sorted(set(program.variables()) - set(FIELD_BY_NAME))
    if unknown:
        return [f"unknown: {', '.join(unknown)}"]
    try:
        result = program.execute(sample_context())
    except CEL_ERRORS as exc:
        return [f"type: {_first_line(exc)}"]
    if not isinstance(result, bool):
        return [f"not_bool: {type(result).__name__}"]
    return []


def _run(rule: RuleLike, context: Mapping[str, Any]) -> RuleResult:
    try:
        value = _program(rule.expression).execute(dict(context))
    except CEL_ERRORS as exc:
        return RuleResult(rule.code, rule.action, rule.reason_code, matched=False, error=_first_line(exc))
    if not isinstance(value, bool):
        error = f"not a boolean: {type(value).__name__}"
        return RuleResult(rule.code, rule.action, rule.reason_code, matched=False, error=error)
    return RuleResult(rule.code, rule.action, rule.reason_code, matched=value)


def prepare(rules: Iterable[RuleLike]) -> None:
    """Compile each rule's expression ahead (cached), so a cold start does not spend the evaluation's time budget."""
    for rule in rules:
        try:
            _program(rule.expression)
        except CEL_ERRORS:
            continue  # evaluate reports it as the rule's error


def evaluate(
    rules: Iterable[RuleLike],
    context: Mapping[str, Any],
    *,
    budget_ms: float = DEFAULT_BUDGET_MS,
    clock: Any = time.perf_counter,
) -> Evaluation:
    """Run ``rules`` (in the order given) against ``context`` within ``budget_ms``."""
    pending = list(rules)
    start = clock()
    results: list[RuleResult] = []
    while pending:
        if (clock() - start) * 1000 >= budget_ms:
            elapsed = (clock() - start) * 1000
            return Evaluation(TIMEOUT, tuple(results), not_run=tuple(r.code for r in pending), elapsed_ms=elapsed)
        results.append(_run(pending.pop(0), context))
    elapsed = (clock() - start) * 1000
    rejects = tuple(r.reason_code for r in results if r.matched and r.action == REJECT)
    reviews = tuple(r.reason_code for r in results if r.matched and r.action == MANUAL_REVIEW)
    failed = tuple(r.reason_code for r in results if r.error)
    flags = tuple(r.reason_code for r in results if r.matched and r.action == FLAG)
    if rejects:
        return Evaluation(REJECT, tuple(results), rejects, flags, elapsed_ms=elapsed)
    if reviews or failed:
        return Evaluation(MANUAL_REVIEW, tuple(results), reviews + failed, flags, elapsed_ms=elapsed)
    return Evaluation(APPROVE, tuple(results), (), flags, elapsed_ms=elapsed)


@dataclass
class BacktestReport:
    """A draft's outcomes against the outcomes past applications had; rates are shares of ``total``."""

    total: int
    approval_rate_before: float
    approval_rate_after: float
    outcomes_before: dict[str, int] = field(default_factory=dict)
    outcomes_after: dict[str, int] = field(default_factory=dict)
    reasons_after: dict[str, int] = field(default_factory=dict)
    flags_after: dict[str, int] = field(default_factory=dict)
    changed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def approval_rate_change(self) -> float:
        return round(self.approval_rate_after - self.approval_rate_before, 6)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "approval_rate_before": self.approval_rate_before,
            "approval_rate_after": self.approval_rate_after,
            "approval_rate_change": self.approval_rate_change,
            "outcomes_before": self.outcomes_before,
            "outcomes_after": self.outcomes_after,
            "reasons_after": self.reasons_after,
            "flags_after": self.flags_after,
            "changed": self.changed,
        }


def backtest(
    rules: Sequence[RuleLike],
    cases: Sequence[tuple[Mapping[str, Any], str]],
    *,
    budget_ms: float = DEFAULT_BUDGET_MS,
) -> BacktestReport:
    """Evaluate ``rules`` on each (context, old outcome); approval means outcome ``approve``.

    ``changed`` lists, by position in ``cases``, each case whose outcome differs: old and new outcome and the
    new reasons. Reasons count each reason code once per case.
    """
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    changed: list[dict[str, Any]] = []
    for index, (context, old) in enumerate(cases):
        result = evaluate(rules, context, budget_ms=budget_ms)
        before[old] += 1
        after[result.outcome] += 1
        reasons.update(set(result.reasons))
        flags.update(set(result.flags))
        if result.outcome != old:
            changed.append({"index": index, "before": old, "after": result.outcome, "reasons": list(result.reasons)})
    total = len(cases)

    def rate(counts: Counter[str]) -> float:
        return round(counts[APPROVE] / total, 6) if total else 0.0

    return BacktestReport(
        total=total,
        approval_rate_before=rate(before),
        approval_rate_after=rate(after),
        outcomes_before=dict(sorted(before.items())),
        outcomes_after=dict(sorted(after.items())),
        reasons_after=dict(sorted(reasons.items())),
        flags_after=dict(sorted(flags.items())),
        changed=changed,
    )
