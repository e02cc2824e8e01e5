"""What the decision pages show, built from a stored decision or backtest: labelled rows and ECharts options.

No business logic here: the figures come from the record; this module only labels and arranges them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loancrm.decisioning import reasons as labels
from loancrm.decisioning.models import Decision, RuleSetBacktest
from loancrm.decisioning.services import scorecard_card
from loancrm.externaldata.models import Kind
from loancrm.rules.context import FIELDS
from loancrm.rules.models import RuleAction
from loancrm.scoring.binning import MISSING_LABEL


def rules_outcome_label(code: str) -> str:
    names = {"approve": _("Rules passed"), "manual_review": _("Manual review"), "reject": _("Reject"),
             "timeout": _("Timed out")}  # fmt: skip
    return str(names.get(code, code or "—"))


def _chinese() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if value is None:
        return "—"
    return str(value)


def _local(stamp: str | None) -> str:
    """An ISO timestamp from the snapshot in local time, to the second."""
    if not stamp:
        return ""
    return timezone.localtime(dt.datetime.fromisoformat(stamp)).strftime("%Y-%m-%d %H:%M:%S")


def decision_view(decision: Decision) -> dict[str, Any]:
    """Everything the decision page shows, labelled in the active language."""
    rule_rows = list(decision.rule_set.rules.order_by("position")) if decision.rule_set else []
    descriptions = {rule.reason_code: rule.description for rule in rule_rows if rule.description}
    by_code = {rule.code: rule for rule in rule_rows}
    best: dict[str, int] = {}
    if decision.scorecard is not None:
        card = scorecard_card(decision.scorecard)
        best = {f.binning.feature: max(b.points for b in f.binning.bins) for f in card.features}
    actions = dict(RuleAction.choices)
    kinds = dict(Kind.choices)
    rules = [
        {
            "code": result["code"],
            "description": by_code[result["code"]].description if result["code"] in by_code else "",
            "expression": by_code[result["code"]].expression if result["code"] in by_code else "",
            "action": actions.get(result["action"], result["action"]),
            "action_code": result["action"],
            "reason_code": result["reason_code"],
            "matched": result["matched"],
            "error": result["error"],
        }
        for result in decision.rule_results
    ]
    points = [
        {**p, "label": labels.feature_label(p["feature"]), "display": _number(p["value"]),
         "bin_display": _("missing") if p["bin"] == MISSING_LABEL else p["bin"],
         "best": best.get(p["feature"])}
        for p in decision.score_points
    ]  # fmt: skip
    snapshot = decision.input_snapshot
    zh = _chinese()
    context = snapshot.get("context", {})
    context_rows = [
        {"name": f.name, "label": f.zh if zh else f.en, "value": _number(context.get(f.name))}
        for f in FIELDS
        if f.name in context
    ]
    return {
        "reasons": [{"code": c, "label": labels.reason_label(c, descriptions)} for c in decision.reasons],
        "flags": [{"code": c, "label": labels.reason_label(c, descriptions)} for c in decision.flags],
        "rules": rules,
        "rules_outcome": rules_outcome_label(decision.rules_outcome),
        "points": points,
        "context": context_rows,
        "derived": snapshot.get("derived", {}),
        "queries": [
            {
                **q,
                "kind_label": kinds.get(q["kind"], q["kind"]),
                "at": (q.get("completed_at") or "")[:19].replace("T", " "),
            }
            for q in snapshot.get("queries", [])
        ],
        "problems": [{"code": c, "label": labels.reason_label(c)} for c in snapshot.get("problems", [])],
        "explanation": labels.customer_explanation(decision.outcome, decision.reasons, decision.score_points, best),
        "chart": points_chart(points),
        "base_score": decision.scorecard.base_score if decision.scorecard else None,
    }


def points_chart(points: list[dict[str, Any]]) -> dict[str, Any]:
    """A horizontal bar per feature: its points (negative red, positive green)."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 20, "right": 40, "top": 10, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "value", "name": _("points")},
        "yAxis": {"type": "category", "inverse": True, "data": [p["label"] for p in points]},
        "series": [
            {
                "type": "bar",
                "name": _("points"),
                "label": {"show": True, "position": "right"},
                "data": [
                    {"value": p["points"], "itemStyle": {"color": "#d63939" if p["points"] < 0 else "#2fb344"}}
                    for p in points
                ],
            }
        ],
    }


def backtest_view(backtest: RuleSetBacktest) -> dict[str, Any]:
    report = backtest.report
    outcomes = ["approve", "manual_review", "reject", "timeout"]
    before, after = report.get("outcomes_before", {}), report.get("outcomes_after", {})
    shown = [o for o in outcomes if before.get(o) or after.get(o)] or outcomes[:3]
    rows = [{"code": o, "label": rules_outcome_label(o), "before": before.get(o, 0), "after": after.get(o, 0),
             "change": after.get(o, 0) - before.get(o, 0)} for o in shown]  # fmt: skip
    grey, blue = {"color": "#adb5bd"}, {"color": "#206bc4"}
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 50},
        "xAxis": {"type": "category", "data": [r["label"] for r in rows]},
        "yAxis": {"type": "value"},
        "series": [
            {"type": "bar", "name": _("Recorded"), "data": [r["before"] for r in rows], "itemStyle": grey},
            {"type": "bar", "name": _("This rule set"), "data": [r["after"] for r in rows], "itemStyle": blue},
        ],
    }
    changed = [
        {
            **change,
            "before_label": rules_outcome_label(change["before"]),
            "after_label": rules_outcome_label(change["after"]),
        }
        for change in report.get("changed", [])
    ]
    reasons = sorted(report.get("reasons_after", {}).items(), key=lambda item: (-item[1], item[0]))
    return {"rows": rows, "chart": chart, "changed": changed, "reasons": reasons}
