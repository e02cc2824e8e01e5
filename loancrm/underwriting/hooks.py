"""What credit review plugs into the other stages (registered in ``UnderwritingConfig.ready``).

- decisioning: an application that enters manual review gets its case (``on_manual_review`` → after commit, the
  task ``open_case_task``; the periodic job ``underwriting.open_review_cases`` catches any it missed);
- lifecycle ``on_referred_back``: the case reopens (status referred back, the same reviewer, a new SLA);
- lifecycle ``on_credit_approved`` / ``on_credit_rejected``: the case closes;
- lifecycle ``add_disbursement_check``: "conditions met", passed when every condition of the latest opinion is met.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from loancrm.applications.lifecycle import CheckResult
from loancrm.core.audit import audit_event
from loancrm.underwriting.choices import CaseStatus


def enqueue_case_open(application_id: int) -> None:
    """Open the case after the decision commits (the task runs the routing outside the decision's transaction)."""
    from loancrm.underwriting.tasks import open_case_task

    transaction.on_commit(lambda: open_case_task.enqueue(application_id))


def reopen_on_referral(application: Any, actor: Any, comment: str) -> None:
    from loancrm.underwriting.models import ReviewCase
    from loancrm.underwriting.services import review_case_open

    case = (
        ReviewCase.objects.select_for_update()
        .select_related("team")
        .filter(application_id=application.pk)
        .exclude(status=CaseStatus.CLOSED)
        .first()
    )
    if case is None:
        review_case_open(application_id=application.pk, actor=actor)
        return
    now = timezone.now()
    case.status = CaseStatus.REFERRED_BACK
    case.due_at, case.reminded_at, case.escalated_at = now + dt.timedelta(hours=case.team.sla_hours), None, None
    case.save(update_fields=["status", "due_at", "reminded_at", "escalated_at", "updated_at"])
    audit_event(actor, "review_case.referred_back", application, {"case": case.pk, "comment": comment[:200]})
    if case.assignee_id:
        from loancrm.core.notifications import notify
        from loancrm.underwriting.services import _case_link

        notify(
            [case.assignee_id], kind="review_case.referred_back",
            title=gettext("Credit review case %(number)s was referred back") % {"number": application.number},
            body=comment[:500], link=_case_link(case),
        )  # fmt: skip


def close_on_decision(application: Any, actor: Any, *args: Any) -> None:
    from loancrm.underwriting.models import ReviewCase
    from loancrm.underwriting.services import _close

    for pk in (
        ReviewCase.objects.filter(application_id=application.pk)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("pk", flat=True)
    ):
        _close(pk, actor, "credit decision")


def conditions_check(application: Any) -> CheckResult:
    from loancrm.underwriting.services import latest_opinion

    label = gettext("Review conditions met")
    opinion = latest_opinion(application)
    if opinion is None:
        return CheckResult("review_conditions", label, True, gettext("No review conditions."))
    conditions = list(opinion.conditions.all())
    open_ = [c.text for c in conditions if not c.met]
    if not conditions:
        return CheckResult("review_conditions", label, True, gettext("No review conditions."))
    if open_:
        return CheckResult(
            "review_conditions", label, False, gettext("Not yet met: %(items)s") % {"items": "；".join(open_)}
        )
    return CheckResult("review_conditions", label, True, gettext("All %(n)s conditions met.") % {"n": len(conditions)})
