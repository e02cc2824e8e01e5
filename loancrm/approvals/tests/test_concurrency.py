"""Two approvers of a countersign step acting at the same moment: both decisions are recorded exactly once and
the step (here the route's last) completes once — one credit approval, one status change (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from loancrm.applications.choices import Status
from loancrm.applications.models import Application, ApplicationStatusChange
from loancrm.approvals import services
from loancrm.approvals.models import ApprovalAction, ApprovalCase, CaseStatus
from loancrm.core.models import AuditEvent

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions: PostgreSQL"),
]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_countersigns_complete_the_step_once(submit, people):
    case = submit("30000.00", risk="high").approval_case  # H50K: the countersign is the only step
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def sign(who: str) -> None:
        try:
            barrier.wait()
            services.approval_act(case_id=case.pk, actor=people[who], action="approve", comment=f"{who} 会签同意")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(who,)) for who in ("dir", "comp")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(ApprovalAction.objects.filter(case=case).values_list("actor__username", flat=True)) == [
        "comp1", "dir1",
    ]  # fmt: skip
    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.APPROVED
    assert Application.objects.get(pk=case.application_id).status == Status.APPROVED
    assert (
        ApplicationStatusChange.objects.filter(application_id=case.application_id, to_status=Status.APPROVED).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="application.credit_approved").count() == 1
    assert AuditEvent.objects.filter(action="approval.case_closed").count() == 1
