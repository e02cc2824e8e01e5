"""Reads of approval cases scoped to the viewer.

A viewer (``approvals.view_approvalcase``) sees the cases of the applications in their data scope, of their branch
when they are an approver (``approvals.act_approvalcase``; HQ approvers: every branch), and those they acted on.
"Not found" and "not yours" are the same 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.scope import scope_q
from loancrm.approvals import engine
from loancrm.approvals.directory import Directory, delegators_of, reach_q
from loancrm.approvals.errors import CaseNotFound
from loancrm.approvals.models import ApprovalCase, CaseStatus
from loancrm.approvals.services import case_actions, case_steps

VIEW = "approvals.view_approvalcase"
ACT = "approvals.act_approvalcase"


def _scope(viewer: Any) -> Q:
    own = scope_q(viewer, owner="application__owner", org_unit="application__org_unit")
    if not own.children:
        return own
    result = own | scope_q(viewer, owner="application__customer__owner", org_unit="application__customer__org_unit")
    if viewer.has_perm(ACT):
        result |= reach_q(viewer)
    return result | Q(actions__actor=viewer) | Q(reviewer=viewer)


def cases_visible_to(viewer: Any) -> QuerySet[ApprovalCase]:
    base = ApprovalCase.objects.select_related(
        "application__customer", "application__product_version__product", "application__org_unit", "policy_version"
    )
    if not getattr(viewer, "is_authenticated", False) or not viewer.has_perm(VIEW):
        return base.none()
    scope = _scope(viewer)
    if not scope.children:
        return base
    ids = ApprovalCase.objects.filter(scope).values("pk")
    return base.filter(pk__in=ids)


def access_case(viewer: Any, pk: int | str) -> ApprovalCase:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise CaseNotFound() from None
    found = cases_visible_to(viewer).filter(pk=key).first()
    if found is None:
        raise CaseNotFound()
    return found


@dataclass
class Pending:
    case: ApprovalCase
    state: engine.CaseState
    acting_for: list[str]  # the seats the viewer may take (their own username first)


def pending_for(viewer: Any, cases: QuerySet[ApprovalCase] | None = None) -> list[Pending]:
    """The open cases whose current step the viewer may decide now, as themselves or through a delegation."""
    if not viewer.has_perm(ACT):
        return []
    seats = [viewer.username] + [u.username for u in delegators_of(viewer)]
    rows = list((cases if cases is not None else cases_visible_to(viewer)).filter(status=CaseStatus.PENDING))
    if len(seats) > 1:  # a delegator's cases may lie outside the delegate's own scope
        extra = ApprovalCase.objects.filter(status=CaseStatus.PENDING).exclude(pk__in=[c.pk for c in rows])
        rows += list(extra.select_related("application__customer", "application__product_version__product",
                                          "application__org_unit", "policy_version"))  # fmt: skip
    if not rows:
        return []
    directory = Directory(step for case in rows for step in case_steps(case))
    found = []
    for case in rows:
        steps = case_steps(case)
        actions = case_actions(case)
        people = directory.people_for(case.application)
        state = engine.evaluate(steps, actions, people)
        allowed = [s for s in seats if engine.check_action(steps, actions, people, actor=viewer.username,
                                                            principal=s) is None]  # fmt: skip
        if allowed:
            found.append(Pending(case, state, allowed))
    found.sort(key=lambda p: (p.case.step_started_at or p.case.created_at, p.case.pk))
    return found


def may_view_as_pending(viewer: Any, pk: int | str) -> ApprovalCase | None:
    """A case outside the viewer's scope that they may decide through a delegation."""
    return next((p.case for p in pending_for(viewer, ApprovalCase.objects.none()) if str(p.case.pk) == str(pk)), None)


def application_link(application: Any, user: Any) -> tuple[Any, str] | None:
    """The application page's "approval" tab, for users who may see approval cases."""
    case = ApprovalCase.objects.filter(application_id=application.pk).only("pk").first()
    if case is None or not user.has_perm("approvals.view_approvalcase"):
        return None
    return _("Approval"), reverse("approvals:case", args=[case.pk])
