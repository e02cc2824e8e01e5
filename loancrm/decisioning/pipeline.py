"""One automated decision from a snapshot: features → hard rules → score → policy (pure, no Django).

``run`` is what the pre-screen service, the replay and the benchmark all call, so a replay evaluates exactly what
the decision did. ``rules`` and ``card`` are the pure forms of the stored rule set (``engine.RuleSpec`` rows in
position order) and scorecard (``training.Card``); ``None`` when the product version names none.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from loancrm.decisioning import features, policy
from loancrm.rules import engine
from loancrm.scoring.training import Card


@dataclass(frozen=True)
class Run:
    features: features.Features
    evaluation: engine.Evaluation | None
    score: int | None
    points: list[dict[str, Any]]
    result: policy.Result
    elapsed_ms: float

    @property
    def rules_outcome(self) -> str:
        return self.evaluation.outcome if self.evaluation is not None else ""


def terms_of(snapshot: Mapping[str, Any], income: str) -> policy.Terms:
    product = snapshot.get("product", {})
    return policy.Terms(
        amount=Decimal(str(snapshot.get("application", {}).get("amount") or "0")),
        min_amount=Decimal(str(product.get("min_amount") or "0")),
        max_amount=Decimal(str(product.get("max_amount") or "0")),
        min_rate=Decimal(str(product.get("min_rate") or "0")),
        max_rate=Decimal(str(product.get("max_rate") or "0")),
        monthly_income=Decimal(income),
    )


def cutoffs_of(snapshot: Mapping[str, Any]) -> policy.Cutoffs:
    product = snapshot.get("product", {})
    return policy.Cutoffs(
        auto_approve=product.get("auto_approve_score"), reject_below=product.get("reject_below_score")
    )


def run(
    snapshot: Mapping[str, Any],
    rules: Sequence[engine.RuleLike] | None,
    card: Card | None,
    *,
    problems: Sequence[str] = (),
    budget_ms: float = engine.DEFAULT_BUDGET_MS,
) -> Run:
    """Decide ``snapshot``; ``problems`` are reason codes found before (no consent, a provider failure)."""
    start = time.perf_counter()
    built = features.build(snapshot)
    missing = [] if rules is not None else ["NO_RULE_SET"]
    evaluation = engine.evaluate(rules, built.context, budget_ms=budget_ms) if rules is not None else None
    score: int | None = None
    points: list[dict[str, Any]] = []
    if card is not None:
        score, explanation = card.score(built.row)
        points = [{"feature": f, "value": v, "bin": label, "points": p} for f, v, label, p in explanation]
    rules_result = (
        policy.RulesResult(
            outcome=evaluation.outcome,
            reasons=evaluation.reasons,
            flags=evaluation.flags,
            errors=any(r.error for r in evaluation.results),
        )
        if evaluation is not None
        else policy.RulesResult(outcome=policy.RULES_REVIEW)
    )
    result = policy.decide(
        rules_result,
        score,
        cutoffs_of(snapshot),
        terms_of(snapshot, built.derived["monthly_income"]),
        problems=tuple(dict.fromkeys([*problems, *missing, *built.problems])),
    )
    elapsed = (time.perf_counter() - start) * 1000
    return Run(built, evaluation, score, points, result, elapsed)
