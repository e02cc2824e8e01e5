"""The risk level (low / medium / high) the review and approval stages route on, from an automated decision.

Pure: ``high`` when a hard rule sent the case to review (rules outcome not ``approve``), when there is no score, or
when the score lies in the lower half of the review band [reject_below, auto_approve); ``low`` at or above
``auto_approve``; ``medium`` otherwise. No decision at all counts as ``high``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LOW, MEDIUM, HIGH = "low", "medium", "high"
LEVELS = (LOW, MEDIUM, HIGH)


def risk_level(*, score: int | None, cutoffs: Mapping[str, Any] | None, rules_outcome: str) -> str:
    if rules_outcome and rules_outcome != "approve":
        return HIGH
    if score is None:
        return HIGH
    cutoffs = cutoffs or {}
    auto, reject = cutoffs.get("auto_approve"), cutoffs.get("reject_below")
    if auto is None or reject is None:
        return HIGH
    if score >= auto:
        return LOW
    return HIGH if score < (int(auto) + int(reject)) / 2 else MEDIUM


def risk_level_of_decision(decision: Any) -> str:
    """``risk_level`` of a ``decisioning.Decision`` (or ``HIGH`` for ``None``)."""
    if decision is None:
        return HIGH
    return risk_level(score=decision.score, cutoffs=decision.cutoffs, rules_outcome=decision.rules_outcome)
