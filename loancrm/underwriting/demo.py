"""Demo credit review: the review teams of BJ-CREDIT (round robin, and a large-amount team by workload) and
SH-CREDIT, routing rules (Shanghai branch → Shanghai team; above 200,000 → the Beijing large-amount team; default →
Beijing), phone-verification checklists, and a case for every application in manual review — some claimed, some
with phone verifications, one with a submitted conditional opinion, one near its due time and one overdue.

Works on what decisioning left (applications found by status) whether or not the later stages are installed;
idempotent: once the teams exist it only opens the cases still missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from loancrm.accounts.models import OrgUnit, User
from loancrm.applications.choices import Status
from loancrm.core.errors import DomainError
from loancrm.underwriting import phone, services
from loancrm.underwriting.choices import AssignmentMode, CaseStatus
from loancrm.underwriting.models import PhoneCheckTemplate, ReviewCase, ReviewTeam, RoutingRule

CHECKLIST_DEFAULT = [
    {"code": "identity", "label": "核实本人身份"},
    {"code": "employer", "label": "核实工作单位"},
    {"code": "income", "label": "核实收入"},
    {"code": "purpose", "label": "核实借款用途"},
    {"code": "contacts", "label": "核实联系人"},
]
CHECKLIST_CAR = [*CHECKLIST_DEFAULT[:4], {"code": "vehicle", "label": "核实购车信息（车型、经销商）"}]


def _setup() -> bool:
    """Teams, rules and checklists; False when the demo organisation is missing."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=("BJ-CREDIT", "SH-CREDIT", "SH"))}
    if len(units) < 3:
        return False
    bj = ReviewTeam.objects.create(name="北京信审组", org_unit=units["BJ-CREDIT"], mode=AssignmentMode.ROUND_ROBIN,
                                   sla_hours=24, remind_before_hours=4)  # fmt: skip
    big = ReviewTeam.objects.create(name="北京信审组·大额", org_unit=units["BJ-CREDIT"], mode=AssignmentMode.WORKLOAD,
                                    sla_hours=48, remind_before_hours=8)  # fmt: skip
    sh = ReviewTeam.objects.create(name="上海信审组", org_unit=units["SH-CREDIT"], mode=AssignmentMode.WORKLOAD,
                                   sla_hours=24, remind_before_hours=4)  # fmt: skip
    RoutingRule.objects.create(name="上海分公司进件", priority=10, org_unit=units["SH"], team=sh)
    RoutingRule.objects.create(name="20万以上大额", priority=20, min_amount=Decimal("200000.01"), team=big)
    RoutingRule.objects.create(name="默认：北京信审组", priority=999, is_default=True, team=bj)
    PhoneCheckTemplate.objects.create(product_code="", name="通用电核清单", items=CHECKLIST_DEFAULT)
    PhoneCheckTemplate.objects.create(product_code="CAR", name="车贷电核清单", items=CHECKLIST_CAR)
    return True


def _claim(case: ReviewCase) -> ReviewCase | None:
    if case.assignee is None:
        return None
    try:
        return services.review_case_claim(actor=case.assignee, case_id=case.pk)
    except DomainError:
        return None


def _verify(case: ReviewCase, actor: User, *, connected: bool) -> None:
    call = phone.phone_call_place(actor=actor, case_id=case.pk)
    answers = {"identity": "confirmed", "employer": "confirmed", "income": "unverified", "purpose": "confirmed"}
    note = "本人接听，信息与申请一致，收入待补充流水。" if connected else "两次未接通"
    phone.phone_verification_record(
        actor=actor, case_id=case.pk, verification_id=call.pk, result="connected" if connected else "no_answer",
        answers=answers if connected else {}, notes=note,
    )  # fmt: skip


def _conditional(case: ReviewCase, actor: User) -> None:
    application = case.application
    version = application.product_version
    amount = min(application.amount, version.max_amount)
    services.review_opinion_submit(
        actor=actor, case_id=case.pk,
        values={"recommendation": "conditional", "amount": f"{amount:.2f}", "annual_rate": str(application.annual_rate),
                "term_months": application.term_months, "method": application.method,
                "risk_points": ["负债收入比偏高", "工作年限较短"],
                "conditions": [{"kind": "add_guarantor", "text": "追加配偶为共同借款人"},
                               {"kind": "provide_document", "text": "补充近六个月银行流水"}],
                "comment": "申请人还款能力基本满足，负债率偏高，建议追加共同借款人并补充流水后放款。"},
    )  # fmt: skip


def _approve_some(cases: list[ReviewCase]) -> None:
    """Approving opinions on ``cases`` (the first one left for a reviewer to decide on screen); when the approval
    stage is installed its demo then moves the resulting approval cases along their routes by 0, 1 or 2 steps."""
    decided = []
    for case in cases:
        application = case.application
        amount = min(application.amount, application.product_version.max_amount)
        try:
            services.review_opinion_submit(
                actor=case.assignee, case_id=case.pk,
                values={"recommendation": "approve", "amount": f"{amount:.2f}",
                        "annual_rate": str(application.annual_rate), "term_months": application.term_months,
                        "method": application.method, "risk_points": ["首次申请"],
                        "comment": "电核通过，收入与负债核实无误，建议按申请条件批准。"},
            )  # fmt: skip
        except DomainError:
            continue
        decided.append(application.pk)
    if decided and apps.is_installed("loancrm.approvals"):
        from loancrm.approvals.demo import demo_progress

        demo_progress(decided)


def seed() -> list[str]:
    from loancrm.applications.models import Application

    first = not ReviewTeam.objects.exists()
    if first and not _setup():
        return []
    waiting = Application.objects.filter(status=Status.MANUAL_REVIEW).order_by("pk").values_list("pk", flat=True)
    opened = [case for pk in list(waiting) if (case := services.review_case_open(application_id=pk)) is not None]
    if not first:
        return []
    claimed = [c for c in (_claim(case) for case in opened[::2]) if c is not None]
    with transaction.atomic():
        for n, case in enumerate(claimed[:4]):
            try:
                _verify(case, case.assignee, connected=n != 1)  # type: ignore[arg-type]
            except DomainError:
                continue
    by_reviewers = [
        c for c in claimed if c.assignee and "credit_reviewer" in {p.code for p in c.assignee.role_profiles()}
    ]
    for case in by_reviewers[:3]:
        try:
            _conditional(case, case.assignee)  # type: ignore[arg-type]
            by_reviewers.remove(case)
            break
        except DomainError:
            continue
    _approve_some(by_reviewers[1:7])
    now = timezone.now()
    queued = [c for c in opened[1::2] if c.status == CaseStatus.QUEUED]
    if queued:
        ReviewCase.objects.filter(pk=queued[0].pk).update(
            opened_at=now - dt.timedelta(hours=21), due_at=now + dt.timedelta(hours=3)
        )
    if len(queued) > 1:
        ReviewCase.objects.filter(pk=queued[1].pk).update(
            opened_at=now - dt.timedelta(hours=27), due_at=now - dt.timedelta(hours=3)
        )
    services.sla_sweep(now)
    return [f"credit review: {len(opened)} cases ({len(claimed)} claimed) — reviewer / reviewer2 / supervisor (BJ), "
            "reviewer_sh / supervisor_sh (SH)"]  # fmt: skip
