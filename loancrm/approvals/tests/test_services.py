"""Approval services: the chains of the default policy, the refusals (with nothing written), delegation, refer
back, SLA reminders and policy versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.approvals import errors, services
from loancrm.approvals.models import (
    ApprovalAction,
    ApprovalCase,
    ApprovalPolicyVersion,
    CaseStatus,
    Delegation,
    VersionStatus,
)
from loancrm.approvals.tests.conftest import outcome
from loancrm.core.errors import Conflict, ValidationFailed
from loancrm.core.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


def act(case, who, action="approve", amount=None, comment="同意"):
    return services.approval_act(case_id=case.pk, actor=who, action=action, comment=comment, amount=amount)


def snapshot(case):
    """Everything a refused action could have written."""
    fresh = ApprovalCase.objects.get(pk=case.pk)
    return (
        ApprovalAction.objects.count(), AuditEvent.objects.count(), Notification.objects.count(),
        fresh.current_step, fresh.amount, fresh.status, Application.objects.get(pk=case.application_id).status,
    )  # fmt: skip


def test_up_to_50000_the_reviewers_opinion_is_the_whole_approval(submit):
    application = submit("50000.00")

    assert application.status == Status.APPROVED
    assert application.approved_amount == Decimal("50000.00")
    assert (application.approved_annual_rate, application.approved_term_months) == (Decimal("0.144000"), 24)
    case = application.approval_case
    assert (case.route_code, case.status, case.steps) == ("R50K", CaseStatus.APPROVED, [])


def test_up_to_200000_the_supervisor_approves_and_may_lower_the_amount(submit, people):
    application = submit("150000.00")
    case = application.approval_case
    assert application.status == Status.IN_APPROVAL and case.route_code == "R200K"
    assert Notification.objects.filter(recipient=people["sup"], kind="approval.pending").count() == 1

    act(case, people["sup"], amount="120000.00")

    application.refresh_from_db()
    case.refresh_from_db()
    assert (application.status, application.approved_amount) == (Status.APPROVED, Decimal("120000.00"))
    assert (case.status, case.amount, case.requested_amount) == (CaseStatus.APPROVED, Decimal("120000.00"),
                                                                 Decimal("150000.00"))  # fmt: skip
    event = AuditEvent.objects.get(action="approval.approve")
    assert event.data == {"step": 1, "round": 1, "route": "R200K", "acting_for": None, "amount": "120000.00",
                          "before": "150000.00"}  # fmt: skip


def test_up_to_1000000_supervisor_then_director(submit, people):
    case = submit("800000.00").approval_case

    act(case, people["sup"])
    case.refresh_from_db()
    assert (case.status, case.current_step) == (CaseStatus.PENDING, 1)
    act(case, people["dir"], amount="700000.00")

    application = Application.objects.get(pk=case.application_id)
    assert (application.status, application.approved_amount) == (Status.APPROVED, Decimal("700000.00"))


def test_above_1000000_the_committee_votes_and_two_of_three_approve(submit, people):
    case = submit("3000000.00").approval_case
    act(case, people["sup"])
    act(case, people["dir"])

    act(case, people["c1"])
    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.PENDING
    act(case, people["c2"], amount="2500000.00")

    application = Application.objects.get(pk=case.application_id)
    assert (application.status, application.approved_amount) == (Status.APPROVED, Decimal("2500000.00"))
    assert list(ApprovalAction.objects.filter(case=case).values_list("step", "actor__username")) == [
        (0, "sup1"), (1, "dir1"), (2, "com1"), (2, "com2"),
    ]  # fmt: skip


def test_committee_one_for_two_against_rejects_once_two_thirds_cannot_be_met(submit, people):
    case = submit("3000000.00").approval_case
    act(case, people["sup"])
    act(case, people["dir"])

    act(case, people["c1"])
    act(case, people["c2"], "reject", comment="负债过高")
    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.PENDING
    act(case, people["c3"], "reject", comment="担保不足")

    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.REJECTED
    assert Application.objects.get(pk=case.application_id).status == Status.REJECTED


def test_high_risk_adds_the_risk_and_compliance_countersign(submit, people):
    case = submit("150000.00", risk="high").approval_case
    assert case.route_code == "H200K"
    act(case, people["sup"])

    act(case, people["comp"], comment="合规审查通过")
    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.PENDING
    act(case, people["dir"])

    assert Application.objects.get(pk=case.application_id).status == Status.APPROVED


def test_high_risk_small_amount_goes_straight_to_the_countersign(submit, people):
    case = submit("30000.00", risk="high").approval_case
    assert (case.route_code, Application.objects.get(pk=case.application_id).status) == ("H50K", Status.IN_APPROVAL)

    act(case, people["dir"])
    act(case, people["comp"])

    assert Application.objects.get(pk=case.application_id).status == Status.APPROVED


def test_high_risk_top_band_runs_supervisor_countersign_and_committee(submit, people):
    case = submit("2000000.00", risk="high").approval_case
    for who in ("sup", "dir", "comp", "c1", "c3"):
        act(case, people[who])

    assert Application.objects.get(pk=case.application_id).status == Status.APPROVED


def test_a_rejection_ends_the_chain(submit, people):
    case = submit("800000.00").approval_case

    act(case, people["sup"], "reject", comment="收入证明不足")

    assert ApprovalCase.objects.get(pk=case.pk).status == CaseStatus.REJECTED
    assert Application.objects.get(pk=case.application_id).status == Status.REJECTED
    with pytest.raises(errors.CaseNotPending):
        act(case, people["dir"])


def test_a_reviewer_rejection_rejects_without_a_case(people, policy, in_review):
    application = in_review("80000.00")

    lifecycle.review_submitted(application, outcome("80000.00", recommendation=lifecycle.REJECT), people["reviewer"])

    assert Application.objects.get(pk=application.pk).status == Status.REJECTED
    assert not ApprovalCase.objects.exists()


def test_a_second_vote_by_the_same_person_is_refused_with_nothing_written(submit, people):
    case = submit("3000000.00").approval_case
    act(case, people["sup"])
    act(case, people["dir"])
    act(case, people["c1"])
    before = snapshot(case)

    with pytest.raises(errors.AlreadyActed):
        act(case, people["c1"], "reject", comment="再投一次")

    assert snapshot(case) == before


def test_a_wrong_role_approver_is_refused_with_nothing_written(submit, people):
    case = submit("800000.00").approval_case
    before = snapshot(case)

    for who in ("dir", "c1", "reviewer", "sh_sup"):  # wrong role, or the right role in another branch
        with pytest.raises(errors.NotAnApprover):
            act(case, people[who])

    assert snapshot(case) == before


def test_an_approval_above_authority_is_refused_with_nothing_written(submit, people):
    services.authority_limit_set(role="credit_supervisor", user=people["sup"], max_amount=Decimal("100000.00"))
    case = submit("150000.00").approval_case
    before = snapshot(case)

    with pytest.raises(errors.AboveAuthority):
        act(case, people["sup"])

    assert snapshot(case) == before
    act(case, people["sup"], amount="100000.00")  # lowered to the authority: allowed
    assert Application.objects.get(pk=case.application_id).approved_amount == Decimal("100000.00")


def test_an_intermediate_approver_passes_an_amount_above_their_authority_up_the_chain(submit, people):
    case = submit("800000.00").approval_case

    act(case, people["sup"])  # 800,000 > the supervisor's 200,000, but the director decides

    assert ApprovalCase.objects.get(pk=case.pk).current_step == 1


def test_raising_the_amount_is_refused_with_nothing_written(submit, people):
    case = submit("150000.00").approval_case
    before = snapshot(case)

    with pytest.raises(errors.AmountRaised):
        act(case, people["sup"], amount="150000.01")

    assert snapshot(case) == before


def test_a_comment_is_mandatory(submit, people):
    case = submit("150000.00").approval_case
    before = snapshot(case)

    with pytest.raises(errors.CommentRequired):
        act(case, people["sup"], comment="  ")

    assert snapshot(case) == before


def test_a_delegate_acts_for_the_delegator_and_the_action_records_it(submit, people):
    today = timezone.localdate()
    services.delegation_create(delegator=people["dir"], delegate=people["sup2"], starts_on=today, ends_on=today,
                               reason="年假", actor=people["dir"])  # fmt: skip
    case = submit("800000.00").approval_case
    act(case, people["sup"])

    act(case, people["sup2"], comment="代总监审批")

    row = ApprovalAction.objects.get(case=case, step=1)
    assert (row.actor, row.principal, row.acting_for) == (people["sup2"], people["dir"], people["dir"])
    assert AuditEvent.objects.filter(action="approval.approve").order_by("pk").last().data["acting_for"] == "dir1"
    assert Application.objects.get(pk=case.application_id).status == Status.APPROVED


def test_an_expired_or_revoked_delegation_gives_no_right(submit, people):
    today = timezone.localdate()
    Delegation.objects.create(delegator=people["dir"], delegate=people["sup2"], starts_on=today - dt.timedelta(days=5),
                              ends_on=today - dt.timedelta(days=1), reason="过期")  # fmt: skip
    revoked = services.delegation_create(delegator=people["dir"], delegate=people["sup2"], starts_on=today,
                                         ends_on=today, reason="出差", actor=people["dir"])  # fmt: skip
    services.delegation_revoke(delegation_id=revoked.pk, actor=people["dir"])
    case = submit("800000.00").approval_case
    act(case, people["sup"])

    with pytest.raises(errors.NotAnApprover):
        act(case, people["sup2"])


def test_refer_back_returns_to_the_reviewer_and_a_new_opinion_restarts_at_the_first_step(submit, people):
    application = submit("800000.00")
    case = application.approval_case
    act(case, people["sup"])

    act(case, people["dir"], "refer_back", comment="请补充经营流水")

    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED_BACK
    assert Application.objects.get(pk=application.pk).status == Status.MANUAL_REVIEW
    with pytest.raises(errors.CaseNotPending):
        act(case, people["dir"])
    lifecycle.review_submitted(Application.objects.get(pk=application.pk), outcome("180000.00"), people["reviewer"])
    case.refresh_from_db()
    assert (case.status, case.round, case.current_step, case.route_code) == (CaseStatus.PENDING, 2, 0, "R200K")
    act(case, people["sup"], comment="补充材料后同意")  # the supervisor decides again in the new round
    assert Application.objects.get(pk=application.pk).approved_amount == Decimal("180000.00")


def test_sla_reminders_notify_the_pending_approvers_once_per_step(submit, people):
    case = submit("150000.00").approval_case
    later = timezone.now() + dt.timedelta(hours=25)

    assert services.sla_remind(now=timezone.now()) == 0
    assert services.sla_remind(now=later) == 2  # both supervisors of the branch
    assert services.sla_remind(now=later) == 0

    assert set(Notification.objects.filter(kind="approval.reminder").values_list("recipient__username", flat=True)) == {
        "sup1", "sup2"}  # fmt: skip
    assert ApprovalCase.objects.get(pk=case.pk).reminded_at == later


def test_a_published_policy_is_read_only_and_a_new_version_retires_it(policy, people):
    with pytest.raises(errors.PolicyVersionFrozen):
        services.policy_version_save(version_id=policy.pk, routes=policy.routes, actor=people["admin"])
    draft = services.policy_version_draft(actor=people["admin"])
    routes = [*draft.routes[:-1], {"code": "ALL", "steps": [{"kind": "single", "role": "credit_director"}]}]

    services.policy_version_save(version_id=draft.pk, routes=routes, actor=people["admin"])
    services.policy_version_publish(version_id=draft.pk, actor=people["admin"])

    statuses = dict(ApprovalPolicyVersion.objects.values_list("version", "status"))
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.PUBLISHED}
    assert AuditEvent.objects.filter(action="approval.policy_published").count() == 2


def test_an_invalid_policy_is_refused_with_clear_errors(policy, people):
    draft = services.policy_version_draft(actor=people["admin"])

    with pytest.raises(ValidationFailed) as caught:
        services.policy_version_save(version_id=draft.pk, routes='[{"code": "A", "max_amount": "10",'
                                     ' "steps": [{"kind": "single", "user": "nobody"}]}]')  # fmt: skip

    assert caught.value.fields == {
        "routes": ["routes: 缺少兜底路线：请添加一条没有金额上限、不限风险等级的路线。"]
    } or (caught.value.code == "approval_policy_invalid")
    with pytest.raises(ValidationFailed):
        services.policy_version_save(version_id=draft.pk, routes="[{", actor=people["admin"])
    assert ApprovalPolicyVersion.objects.get(pk=draft.pk).routes == policy.routes


def test_a_new_opinion_while_the_case_is_open_is_refused(submit, people):
    application = submit("150000.00")

    with pytest.raises(Conflict):
        lifecycle.review_submitted(application, outcome("150000.00"), people["reviewer"])

    assert ApprovalCase.objects.get(pk=application.approval_case.pk).round == 1


def test_without_a_published_policy_the_opinion_is_refused(people, in_review):
    application = in_review("150000.00")

    with pytest.raises(errors.NoPublishedPolicy):
        lifecycle.review_submitted(application, outcome("150000.00"), people["reviewer"])

    assert Application.objects.get(pk=application.pk).status == Status.MANUAL_REVIEW


def test_high_risk_up_to_1000000_the_director_signs_in_the_countersign_not_twice(submit, people):
    case = submit("800000.00", risk="high").approval_case
    assert [s["kind"] for s in case.steps] == ["single", "countersign"]

    for who in ("sup", "dir", "comp"):
        act(case, people[who])

    assert Application.objects.get(pk=case.application_id).status == Status.APPROVED


def test_the_sla_job_is_registered():
    from loancrm.jobs.registry import autodiscover, get_job

    autodiscover()

    job = get_job("approvals.sla_reminders")
    assert job is not None and job.rerunnable
