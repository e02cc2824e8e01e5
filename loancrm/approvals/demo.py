"""Demo data of approval: the published default policy, the authority limits and one delegation (the credit
director, travelling, lets committee member 孙委员 act on their steps for a week). Idempotent.

Applications already in ``in_approval`` (left by the review stage) need nothing else. ``demo_progress`` moves some
cases through their steps as the first eligible demo approver, for the lead's end-to-end demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from loancrm.accounts.models import User
from loancrm.approvals import engine, services
from loancrm.approvals.directory import Directory
from loancrm.approvals.models import ApprovalCase, CaseStatus, Delegation
from loancrm.core.errors import DomainError


def seed() -> list[str]:
    policy = services.policy_default_ensure()
    services.authority_defaults_ensure()
    director, committee = (
        User.objects.filter(username="director").first(),
        User.objects.filter(username="committee").first(),
    )
    if director and committee and not Delegation.objects.filter(delegator=director, delegate=committee).exists():
        today = timezone.localdate()
        services.delegation_create(
            delegator=director,
            delegate=committee,
            starts_on=today,
            ends_on=today + dt.timedelta(days=7),
            reason="出差（演示）",
            actor=director,
        )
    return [f"approval policy {policy} published (routes: {len(policy.routes)})"]


def demo_progress(application_ids: Iterable[int], *, steps: int | None = None) -> int:
    """Approve the current step of each pending case of ``application_ids``, as the first eligible approver
    (by username); ``steps`` bounds how many steps per case (default: the i-th case advances ``i % 3`` steps, so some
    cases stay at their first step, some move one step, some finish). Returns the number of actions taken."""
    taken = 0
    for i, application_id in enumerate(application_ids):
        budget = steps if steps is not None else i % 3
        for _n in range(budget):
            case = ApprovalCase.objects.filter(application_id=application_id, status=CaseStatus.PENDING).first()
            if case is None:
                break
            state, directory = services.case_state(case)
            if not _act_once(case, state, directory):
                break
            taken += 1
    return taken


def _act_once(case: ApprovalCase, state: engine.CaseState, directory: Directory) -> bool:
    for username in sorted(state.may_act):
        user = directory.users.get(username)
        if user is None:
            continue
        try:
            services.approval_act(case_id=case.pk, actor=user, action="approve", comment="演示：同意")
        except DomainError:
            continue
        return True
    return False
