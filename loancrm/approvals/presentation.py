"""What the approval pages show: step diagrams, labels of kinds and approvers, the diff between policy versions."""

from __future__ import annotations

import difflib
from typing import Any

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.models import User
from loancrm.accounts.roles import role_label
from loancrm.approvals import engine
from loancrm.approvals.directory import Directory
from loancrm.approvals.models import ApprovalCase, ApprovalPolicyVersion
from loancrm.approvals.services import case_steps

KIND_LABELS = {
    engine.SINGLE: _("Single approver"),
    engine.COUNTERSIGN: _("Countersign (all)"),
    engine.OR_SIGN: _("Or-sign (any one)"),
    engine.VOTE: _("Committee vote"),
}


def approver_label(approver: engine.Approver) -> str:
    if approver.user:
        user = User.objects.filter(username=approver.user).first()
        return str(user) if user else approver.user
    return str(role_label(approver.role, approver.role))


def step_view(step: engine.Step) -> dict[str, Any]:
    return {
        "kind": step.kind,
        "kind_label": KIND_LABELS.get(step.kind, step.kind),
        "label": step.label,
        "approvers": [approver_label(a) for a in step.approvers],
        "threshold": f"{step.threshold.numerator}/{step.threshold.denominator}" if step.kind == engine.VOTE else "",
        "quorum": step.quorum,
        "sla_hours": step.sla_hours,
    }


def routes_view(routes: list[engine.Route]) -> list[dict[str, Any]]:
    return [
        {"route": r, "levels": ", ".join(r.risk_levels) or _t("any"), "steps": [step_view(s) for s in r.steps]}
        for r in routes
    ]


def case_view(case: ApprovalCase) -> dict[str, Any]:
    """The step diagram of the case's current round: the reviewer's opinion, then each step with its decisions,
    who is pending and (for a vote) the tally."""
    steps = case_steps(case)
    directory = Directory(steps)
    people = directory.people_for(case.application)
    rows = list(case.actions.filter(round=case.round).select_related("actor", "acting_for"))
    actions = [engine.Action(a.step, a.actor.username, (a.acting_for or a.actor).username, a.action) for a in rows]
    state = engine.evaluate(steps, actions, people)
    by_step = {i: state.steps[i] for i in range(len(state.steps))}
    shown = []
    for index, step in enumerate(steps):
        st = by_step.get(index)
        pending = sorted(st.may_act) if st is not None and st.outcome == engine.PENDING else []
        shown.append({
            "n": index + 1, **step_view(step), "actions": [a for a in rows if a.step == index],
            "outcome": st.outcome if st else "waiting", "current": state.current_step == index
            and state.outcome == engine.PENDING,
            "pending": [str(directory.users[k]) for k in pending if k in directory.users],
            "tally": st, "blocked": bool(st and st.blocked),
        })  # fmt: skip
    earlier = case.actions.filter(round__lt=case.round).select_related("actor", "acting_for")
    return {"state": state, "steps": shown, "earlier": list(earlier)}


def policy_diff(old: ApprovalPolicyVersion | None, new: ApprovalPolicyVersion) -> list[tuple[str, str]]:
    """``(kind, line)`` pairs: ``+`` added, ``-`` removed, `` `` unchanged (the readable form of each route)."""
    before = engine.describe_routes(engine.parse_routes(old.routes)) if old and old.routes else []
    try:
        after = engine.describe_routes(engine.parse_routes(new.routes))
    except engine.PolicyInvalid:
        after = []
    lines = []
    for line in difflib.ndiff(before, after):
        if line.startswith("? "):
            continue
        lines.append((line[0], line[2:]))
    return lines
