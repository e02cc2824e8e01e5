"""Opening and routing a case, assignment by workload and round robin, claim / release / reassign with their
permissions and scope, the SLA sweep, and the lifecycle hooks (referred back, closed on the credit decision)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status
from loancrm.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent, Notification
from loancrm.underwriting import services
from loancrm.underwriting.choices import CaseStatus
from loancrm.underwriting.models import ReviewCase, RoutingRule
from loancrm.underwriting.selectors import cases_visible_to

pytestmark = pytest.mark.django_db


def open_case(application):
    return services.review_case_open(application_id=application.pk)


def test_a_shanghai_application_goes_to_the_shanghai_team_and_others_to_the_default(credit, manual):
    # given one application from each branch
    sh_app, bj_app = manual(credit.agent_sh), manual(credit.agent)
    # when their cases open
    sh_case, bj_case = open_case(sh_app), open_case(bj_app)
    # then
    assert (sh_case.team, sh_case.rule.name, sh_case.status) == (credit.sh, "上海分公司", CaseStatus.QUEUED)
    assert (bj_case.team, bj_case.rule.name) == (credit.bj, "默认")
    assert bj_case.risk_level == "high"  # no automated decision
    assert bj_case.due_at == bj_case.opened_at + dt.timedelta(hours=24)
    assert sh_case.due_at == sh_case.opened_at + dt.timedelta(hours=8)
    assert AuditEvent.objects.filter(action="review_case.opened").count() == 2


def test_opening_is_idempotent_and_only_for_manual_review(credit, manual, version):
    application = manual()
    first = open_case(application)
    assert open_case(application) == first
    assert ReviewCase.objects.count() == 1
    application_set_status(application_id=application.pk, status=Status.WITHDRAWN, actor=credit.agent)
    assert services.close_stale_cases() == 1
    assert open_case(application) is None and ReviewCase.objects.get().status == CaseStatus.CLOSED


def test_without_any_matching_rule_nothing_opens_until_the_sweep_finds_one(credit, manual):
    RoutingRule.objects.filter(is_default=True).update(active=False)
    application = manual()
    assert open_case(application) is None
    assert ReviewCase.objects.count() == 0
    RoutingRule.objects.filter(is_default=True).update(active=True)
    assert services.open_missing_cases() == 1
    assert ReviewCase.objects.get().application == application


def test_workload_assignment_gives_the_case_to_the_member_with_fewest_open_cases(credit, manual):
    # given rev1 holds two open cases, rev2 one, the supervisor one
    loads = [credit.rev1, credit.rev1, credit.rev2, credit.sup]
    for user in loads:
        case = open_case(manual())
        ReviewCase.objects.filter(pk=case.pk).update(assignee=user)
    # when a new case opens, then it goes to rev2 (1 case, lower id than the supervisor)
    case = open_case(manual())
    assert case.assignee == credit.rev2
    notice = Notification.objects.filter(kind="review_case.assigned").order_by("-pk").first()
    assert (notice.recipient, notice.link) == (credit.rev2, f"/underwriting/case/{case.pk}/")
    assert case.application.number in notice.title


def test_round_robin_cycles_through_the_team(credit, manual):
    cases = [open_case(manual(credit.agent_sh)) for _ in range(3)]
    assert [c.assignee for c in cases] == [credit.rev_sh, credit.sup_sh, credit.rev_sh]
    credit.sh.refresh_from_db()
    assert credit.sh.last_assigned == credit.rev_sh


def _pool_case(credit, manual, agent=None):
    case = open_case(manual(agent))
    ReviewCase.objects.filter(pk=case.pk).update(assignee=None)
    return ReviewCase.objects.get(pk=case.pk)


def test_a_reviewer_claims_an_unassigned_case_of_their_team_and_releases_it(credit, manual):
    case = _pool_case(credit, manual)
    claimed = services.review_case_claim(actor=credit.rev1, case_id=case.pk)
    assert (claimed.status, claimed.assignee) == (CaseStatus.CLAIMED, credit.rev1)
    with pytest.raises(NotFound):  # no longer in the team's pool: rev2 does not see it
        services.review_case_claim(actor=credit.rev2, case_id=case.pk)
    with pytest.raises(InvalidTransition):  # the supervisor sees it but it is not his to release
        services.review_case_release(actor=credit.sup, case_id=case.pk)
    released = services.review_case_release(actor=credit.rev1, case_id=case.pk)
    assert (released.status, released.assignee) == (CaseStatus.QUEUED, None)
    actions = list(AuditEvent.objects.filter(action__startswith="review_case.c").values_list("action", flat=True))
    assert actions == ["review_case.claimed"]


def test_a_case_assigned_to_another_reviewer_cannot_be_claimed(credit, manual):
    case = open_case(manual())
    ReviewCase.objects.filter(pk=case.pk).update(assignee=credit.rev2)
    with pytest.raises(NotFound):  # not in rev1's scope at all
        services.review_case_claim(actor=credit.rev1, case_id=case.pk)
    with pytest.raises(Conflict):  # the supervisor sees it (team scope) but it is rev2's
        services.review_case_claim(actor=credit.sup, case_id=case.pk)
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.QUEUED


def test_a_reviewer_of_another_team_neither_sees_nor_claims_the_case(credit, manual):
    case = _pool_case(credit, manual)
    assert not cases_visible_to(credit.rev_sh).filter(pk=case.pk).exists()
    with pytest.raises(NotFound):
        services.review_case_claim(actor=credit.rev_sh, case_id=case.pk)
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.QUEUED


def test_scopes_reviewer_own_and_pool_supervisor_team_director_branch(credit, manual):
    bj_mine = open_case(manual())
    ReviewCase.objects.filter(pk=bj_mine.pk).update(assignee=credit.rev1)
    bj_other = open_case(manual())
    ReviewCase.objects.filter(pk=bj_other.pk).update(assignee=credit.rev2)
    bj_pool = _pool_case(credit, manual)
    sh_case = open_case(manual(credit.agent_sh))

    def seen(user):
        return set(cases_visible_to(user).values_list("pk", flat=True))

    assert seen(credit.rev1) == {bj_mine.pk, bj_pool.pk}
    assert seen(credit.sup) == {bj_mine.pk, bj_other.pk, bj_pool.pk}
    assert seen(credit.director) == {bj_mine.pk, bj_other.pk, bj_pool.pk}
    assert seen(credit.sup_sh) == {sh_case.pk}
    assert seen(credit.admin) == {bj_mine.pk, bj_other.pk, bj_pool.pk, sh_case.pk}
    assert seen(credit.agent) == set()


def test_a_supervisor_reassigns_within_the_team_with_a_reason(credit, manual):
    case = open_case(manual())
    ReviewCase.objects.filter(pk=case.pk).update(assignee=credit.rev1, status=CaseStatus.CLAIMED)
    # refused: no reason, a non-member, a reviewer doing it, another team's supervisor — nothing written
    with pytest.raises(ValidationFailed):
        services.review_case_reassign(actor=credit.sup, case_id=case.pk, assignee_id=credit.rev2.pk, reason=" ")
    with pytest.raises(ValidationFailed):
        services.review_case_reassign(actor=credit.sup, case_id=case.pk, assignee_id=credit.rev_sh.pk, reason="忙")
    with pytest.raises(PermissionDenied):
        services.review_case_reassign(actor=credit.rev1, case_id=case.pk, assignee_id=credit.rev2.pk, reason="忙")
    with pytest.raises(NotFound):
        services.review_case_reassign(actor=credit.sup_sh, case_id=case.pk, assignee_id=credit.rev2.pk, reason="忙")
    assert not AuditEvent.objects.filter(action="review_case.reassigned").exists()
    # when
    moved = services.review_case_reassign(actor=credit.sup, case_id=case.pk, assignee_id=credit.rev2.pk, reason="休假")
    # then
    assert (moved.assignee, moved.status) == (credit.rev2, CaseStatus.QUEUED)
    event = AuditEvent.objects.get(action="review_case.reassigned")
    assert (event.data["from"], event.data["to"], event.data["reason"]) == (credit.rev1.pk, credit.rev2.pk, "休假")
    assert Notification.objects.filter(recipient=credit.rev2, kind="review_case.assigned").exists()


def test_sla_sweep_reminds_before_due_and_escalates_overdue_to_the_supervisors_once(credit, manual):
    now = timezone.now()
    fresh, soon, late = (open_case(manual()) for _ in range(3))
    ReviewCase.objects.filter(pk=soon.pk).update(assignee=credit.rev1, due_at=now + dt.timedelta(minutes=90))
    ReviewCase.objects.filter(pk=late.pk).update(assignee=credit.rev2, due_at=now - dt.timedelta(minutes=5))
    Notification.objects.all().delete()
    # when
    assert services.sla_sweep(now) == (1, 1)
    # then
    reminder = Notification.objects.get(kind="review_case.reminder")
    assert reminder.recipient == credit.rev1 and soon.application.number in reminder.title
    escalation = Notification.objects.get(kind="review_case.escalated")
    assert escalation.recipient == credit.sup and escalation.link == f"/underwriting/case/{late.pk}/"
    late.refresh_from_db()
    assert late.escalated_at == now and ReviewCase.objects.get(pk=fresh.pk).reminded_at is None
    # a second sweep sends nothing new
    assert services.sla_sweep(now + dt.timedelta(minutes=1)) == (0, 0)
    assert Notification.objects.count() == 2


def test_the_sla_job_is_registered_and_runs(credit, manual):
    from loancrm.jobs.registry import autodiscover, get_job

    autodiscover()
    assert get_job("underwriting.review_sla") is not None
    assert get_job("underwriting.open_review_cases") is not None


def test_referred_back_reopens_the_case_for_the_same_reviewer_with_a_new_sla(credit, manual):
    application = manual()
    case = open_case(application)
    ReviewCase.objects.filter(pk=case.pk).update(
        assignee=credit.rev1, status=CaseStatus.OPINION_SUBMITTED, escalated_at=timezone.now()
    )
    application_set_status(application_id=application.pk, status=Status.IN_APPROVAL, actor=credit.rev1)
    # when the approver refers it back
    lifecycle.referred_back(application, credit.sup, "请补充收入证明")
    # then
    case.refresh_from_db()
    application.refresh_from_db()
    assert (case.status, case.assignee, case.escalated_at) == (CaseStatus.REFERRED_BACK, credit.rev1, None)
    assert application.status == Status.MANUAL_REVIEW
    assert Notification.objects.filter(recipient=credit.rev1, kind="review_case.referred_back").exists()


def test_the_credit_decision_closes_the_case(credit, manual):
    application = manual()
    case = open_case(application)
    lifecycle.credit_reject(application_id=application.pk, actor=credit.sup, reasons=["收入不足"])
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
