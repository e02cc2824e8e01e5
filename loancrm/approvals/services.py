"""Writes of the approval stage: policies, opening a case from a reviewer's opinion, approver actions, limits,
delegations and SLA reminders. Every write is atomic and audited; every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.models import RoleProfile, User
from loancrm.accounts.roles import ROLE_BY_CODE
from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.services import application_set_status
from loancrm.approvals import engine
from loancrm.approvals.defaults import DEFAULT_LIMITS, DEFAULT_ROUTES
from loancrm.approvals.directory import Directory, authority_of, delegates_of, delegators_of
from loancrm.approvals.errors import (
    AboveAuthority,
    AlreadyActed,
    AmountRaised,
    CaseNotFound,
    CaseNotPending,
    CommentRequired,
    NoPublishedPolicy,
    NotAnApprover,
    PolicyVersionFrozen,
)
from loancrm.approvals.models import (
    ApprovalAction,
    ApprovalCase,
    ApprovalPolicyVersion,
    AuthorityLimit,
    CaseStatus,
    Decision,
    Delegation,
    VersionStatus,
)
from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, PermissionDenied, ValidationFailed
from loancrm.core.form_values import decimal_value
from loancrm.core.money import money_str
from loancrm.core.notifications import notify

PROBLEM_MESSAGES: dict[str, Any] = {
    "routes_missing": _("The policy needs at least one route."),
    "route_shape": _("A route must be an object."),
    "code_missing": _("Every route needs a code."),
    "code_twice": _("Route code {param} is used twice."),
    "amount_invalid": _("The maximum amount must be a positive amount in yuan (or null for no ceiling)."),
    "risk_invalid": _("Risk levels must be a list of low, medium and high."),
    "steps_shape": _("Steps must be a list."),
    "step_shape": _("A step must be an object."),
    "unknown_kind": _("Unknown step kind {param}: use single, countersign, or_sign or vote."),
    "approver_shape": _("An approver is either a role or a user."),
    "unknown_role": _("Unknown role {param}."),
    "unknown_user": _("Unknown user {param}."),
    "approvers_missing": _("This step needs a list of approvers."),
    "countersign_needs_two": _("A countersign needs at least two approvers."),
    "approver_twice": _("An approver is listed twice."),
    "threshold_invalid": _("The share must be a fraction above 0 and at most 1, such as 2/3."),
    "quorum_invalid": _("The quorum must be a whole number of at least 1."),
    "sla_invalid": _("The SLA must be between 1 and 720 hours."),
    "unknown_field": _("Unknown field {param}."),
    "no_catch_all": _("The last resort is missing: add a route with no maximum amount and no risk restriction."),
    "json_invalid": _("Not valid JSON: {param}"),
}


def problem_messages(problems: list[engine.Problem]) -> list[str]:
    return [f"{p.path}: {_t(str(PROBLEM_MESSAGES.get(p.code, p.code))).format(param=p.param)}" for p in problems]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


# --- policies ---------------------------------------------------------------------------------------------------


def known_roles() -> set[str]:
    return set(ROLE_BY_CODE) | set(RoleProfile.objects.values_list("code", flat=True))


def validate_routes(data: Any) -> list[engine.Route]:
    """Parse and check a policy's routes (roles and users must exist); ``ValidationFailed`` on ``routes``."""
    try:
        routes = engine.parse_routes(data, roles=known_roles())
    except engine.PolicyInvalid as exc:
        raise ValidationFailed(_("The approval policy is invalid."), fields={"routes": problem_messages(exc.problems)},
                               code="approval_policy_invalid") from None  # fmt: skip
    names: set[str] = set()
    for route in routes:
        for step in route.steps:
            names |= {a.user for a in step.approvers if a.user}
    missing = names - set(User.objects.filter(username__in=names, is_active=True).values_list("username", flat=True))
    if missing:
        problems = [engine.Problem("routes", "unknown_user", name) for name in sorted(missing)]
        raise ValidationFailed(_("The approval policy is invalid."), fields={"routes": problem_messages(problems)},
                               code="approval_policy_invalid")  # fmt: skip
    return routes


def parse_routes_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems = [engine.Problem("routes", "json_invalid", f"{exc.msg} (line {exc.lineno}, column {exc.colno})")]
        raise ValidationFailed(_("The approval policy is invalid."), fields={"routes": problem_messages(problems)},
                               code="approval_policy_invalid") from None  # fmt: skip


def published_policy() -> ApprovalPolicyVersion | None:
    return ApprovalPolicyVersion.objects.filter(status=VersionStatus.PUBLISHED).first()


@transaction.atomic
def policy_version_draft(
    *, actor: Any = None, from_version_id: int | None = None, request: HttpRequest | None = None
) -> ApprovalPolicyVersion:
    """A new draft: a copy of ``from_version`` (default: the published version, else the default policy)."""
    ApprovalPolicyVersion.objects.select_for_update().filter(status=VersionStatus.PUBLISHED).first()
    source = ApprovalPolicyVersion.objects.filter(pk=from_version_id).first() if from_version_id else published_policy()
    latest = ApprovalPolicyVersion.objects.aggregate(v=Max("version"))["v"] or 0
    draft = ApprovalPolicyVersion.objects.create(
        version=latest + 1, routes=source.routes if source else DEFAULT_ROUTES, created_by=_user(actor),
        notes="",
    )  # fmt: skip
    audit_event(
        actor,
        "approval.policy_drafted",
        draft,
        {"version": draft.version, "from": source.version if source else None},
        request,
    )
    return draft


def _locked_draft(version_id: int) -> ApprovalPolicyVersion:
    locked = ApprovalPolicyVersion.objects.select_for_update().filter(pk=version_id).first()
    if locked is None:
        raise CaseNotFound()
    if locked.status != VersionStatus.DRAFT:
        raise PolicyVersionFrozen()
    return locked


@transaction.atomic
def policy_version_save(
    *, version_id: int, routes: Any, notes: str = "", actor: Any = None, request: HttpRequest | None = None
) -> ApprovalPolicyVersion:
    """Replace a draft's routes (validated: an invalid policy is refused with every problem listed)."""
    draft = _locked_draft(version_id)
    data = parse_routes_text(routes) if isinstance(routes, str) else routes
    parsed = validate_routes(data)
    draft.routes = [r.as_dict() for r in parsed]
    draft.notes = notes.strip()[:2000]
    draft.save(update_fields=["routes", "notes"])
    audit_event(actor, "approval.policy_saved", draft, {"version": draft.version, "routes": len(parsed)}, request)
    return draft


@transaction.atomic
def policy_version_publish(
    *, version_id: int, actor: Any = None, request: HttpRequest | None = None
) -> ApprovalPolicyVersion:
    """Draft → published (then read-only); the previously published version retires. Open cases keep their version."""
    draft = _locked_draft(version_id)
    validate_routes(draft.routes)
    now = timezone.now()
    previous = list(ApprovalPolicyVersion.objects.select_for_update().filter(status=VersionStatus.PUBLISHED))
    ApprovalPolicyVersion.objects.filter(pk__in=[p.pk for p in previous]).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    draft.status, draft.published_at, draft.published_by = VersionStatus.PUBLISHED, now, _user(actor)
    draft.save(update_fields=["status", "published_at", "published_by"])
    audit_event(actor, "approval.policy_published", draft,
                {"version": draft.version, "retired": [p.version for p in previous]}, request)  # fmt: skip
    return draft


@transaction.atomic
def policy_default_ensure(*, actor: Any = None) -> ApprovalPolicyVersion:
    """The published policy; the default one (``defaults.DEFAULT_ROUTES``) is created and published when none is."""
    current = published_policy()
    if current is not None:
        return current
    draft = policy_version_draft(actor=actor)
    policy_version_save(version_id=draft.pk, routes=DEFAULT_ROUTES, notes="default policy", actor=actor)
    return policy_version_publish(version_id=draft.pk, actor=actor)


# --- authority limits and delegations ---------------------------------------------------------------------------


@transaction.atomic
def authority_limit_set(
    *, role: str, max_amount: Decimal | None, user: Any = None, actor: Any = None, request: HttpRequest | None = None
) -> AuthorityLimit:
    if role not in known_roles():
        raise ValidationFailed(fields={"role": [_("Unknown role.")]})
    if max_amount is not None and max_amount <= 0:
        raise ValidationFailed(fields={"max_amount": [_("Enter an amount above zero.")]})
    row, _created = AuthorityLimit.objects.select_for_update().update_or_create(
        role=role, user=user, defaults={"max_amount": max_amount}
    )
    audit_event(actor, "approval.authority_set", row, {"role": role, "user": getattr(user, "username", None),
                "max_amount": money_str(max_amount) if max_amount is not None else None}, request)  # fmt: skip
    return row


def authority_defaults_ensure(*, actor: Any = None) -> int:
    made = 0
    for role, amount in DEFAULT_LIMITS.items():
        if not AuthorityLimit.objects.filter(role=role, user__isnull=True).exists():
            authority_limit_set(role=role, max_amount=Decimal(amount) if amount else None, actor=actor)
            made += 1
    return made


@transaction.atomic
def delegation_create(
    *, delegator: Any, delegate: Any, starts_on: dt.date, ends_on: dt.date, reason: str, actor: Any = None,
    request: HttpRequest | None = None,
) -> Delegation:  # fmt: skip
    """While active the delegate may act on the delegator's approval steps (each action records ``acting_for``)."""
    errors: dict[str, list[Any]] = {}
    if delegate is None or delegator is None or delegate.pk == delegator.pk:
        errors["delegate"] = [_("Choose another user as the delegate.")]
    elif not delegate.is_active or not delegate.has_perm("approvals.act_approvalcase"):
        errors["delegate"] = [_("The delegate must be an active approver.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    if ends_on < timezone.localdate():
        errors["ends_on"] = [_("The end date is in the past.")]
    if not reason.strip():
        errors["reason"] = [_("A reason is required.")]
    if errors:
        raise ValidationFailed(fields=errors)
    row = Delegation.objects.create(delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on,
                                    reason=reason.strip()[:200], created_by=_user(actor))  # fmt: skip
    audit_event(actor, "approval.delegation_created", row, {"delegator": delegator.username,
                "delegate": delegate.username, "from": starts_on, "to": ends_on}, request)  # fmt: skip
    return row


@transaction.atomic
def delegation_revoke(*, delegation_id: int, actor: Any, request: HttpRequest | None = None) -> Delegation:
    row = Delegation.objects.select_for_update().filter(pk=delegation_id).first()
    if row is None:
        raise CaseNotFound()
    if row.delegator_id != actor.pk and row.created_by_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied()
    if row.revoked_at is not None:
        raise Conflict(_("The delegation is already revoked."))
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    audit_event(actor, "approval.delegation_revoked", row, {"delegator": row.delegator_id}, request)
    return row


# --- cases ------------------------------------------------------------------------------------------------------


def case_steps(case: ApprovalCase) -> list[engine.Step]:
    return list(engine.parse_routes([{"code": "x", "steps": case.steps}]
                                    )[0].steps) if case.steps else []  # fmt: skip


def case_actions(case: ApprovalCase) -> list[engine.Action]:
    rows = case.actions.filter(round=case.round).select_related("actor", "principal").order_by("created_at", "pk")
    return [engine.Action(a.step, a.actor.username, a.principal.username, a.action) for a in rows]


def case_state(case: ApprovalCase, directory: Directory | None = None) -> tuple[engine.CaseState, Directory]:
    steps = case_steps(case)
    found = directory or Directory(steps)
    return engine.evaluate(steps, case_actions(case), found.people_for(case.application)), found


def _opinion(outcome: lifecycle.ReviewOutcome, actor: Any) -> dict[str, Any]:
    terms = outcome.terms
    return {
        "recommendation": outcome.recommendation, "amount": money_str(terms.amount),
        "annual_rate": str(terms.annual_rate), "term_months": terms.term_months, "method": terms.method,
        "risk_level": outcome.risk_level, "comment": outcome.comment, "risk_points": list(outcome.risk_points),
        "conditions": list(outcome.conditions), "reviewer": getattr(actor, "username", None),
        "submitted_at": timezone.now().isoformat(),
    }  # fmt: skip


def _case_link(case: ApprovalCase) -> str:
    return reverse("approvals:case", args=[case.pk])


def _notify_pending(case: ApprovalCase, state: engine.CaseState, directory: Directory, *, reminder: bool) -> int:
    keys = sorted(state.may_act)
    users = [directory.users[k] for k in keys if k in directory.users] + delegates_of(keys)
    if not users:
        return 0
    number = case.application.number or case.application_id
    title = (_t("Approval overdue: %(number)s") if reminder else _t("Approval waiting: %(number)s")) % {
        "number": number
    }
    body = _t("Route %(route)s, step %(step)s, amount %(amount)s.") % {
        "route": case.route_label or case.route_code, "step": (state.current_step or 0) + 1,
        "amount": money_str(case.amount),
    }  # fmt: skip
    kind = "approval.reminder" if reminder else "approval.pending"
    return notify(users, kind=kind, title=title, body=body, link=_case_link(case))


def _terms(case: ApprovalCase) -> lifecycle.ApprovedTerms:
    opinion = case.opinion
    return lifecycle.ApprovedTerms(
        amount=case.amount, annual_rate=Decimal(opinion["annual_rate"]), term_months=int(opinion["term_months"]),
        method=str(opinion["method"]),
    )  # fmt: skip


def review_opinion_received(application: Application, outcome: lifecycle.ReviewOutcome, actor: Any) -> None:
    """The ``lifecycle.on_review_submitted`` handler: reject, approve at once, or open (restart) the case."""
    with transaction.atomic():
        case = ApprovalCase.objects.select_for_update().filter(application_id=application.pk).first()
        if case is not None and case.status == CaseStatus.PENDING:
            raise Conflict(_("The application is already in approval."), code="approval_case_open")
        if outcome.recommendation == lifecycle.REJECT:
            if case is not None and case.status == CaseStatus.REFERRED_BACK:
                case.status, case.decided_at, case.opinion = (
                    CaseStatus.REJECTED,
                    timezone.now(),
                    _opinion(outcome, actor),
                )
                case.save(update_fields=["status", "decided_at", "opinion", "updated_at"])
                audit_event(actor, "approval.case_closed", case, {"by": "reviewer", "outcome": "rejected"})
            reasons = list(outcome.risk_points) or [outcome.comment]
            lifecycle.credit_reject(application_id=application.pk, actor=actor, reasons=reasons)
            return
        policy = published_policy()
        if policy is None:
            raise NoPublishedPolicy()
        routes = engine.parse_routes(policy.routes)
        amount = outcome.terms.amount
        route = engine.choose_route(routes, amount, outcome.risk_level)
        if route is None:  # a published policy always has a catch-all route; kept for safety
            raise NoPublishedPolicy()
        now = timezone.now()
        fields = {
            "policy_version": policy, "route_code": route.code, "route_label": route.label,
            "steps": [s.as_dict() for s in route.steps], "current_step": 0, "amount": amount,
            "requested_amount": amount, "risk_level": outcome.risk_level, "opinion": _opinion(outcome, actor),
            "reviewer": _user(actor), "step_started_at": now, "reminded_at": None, "decided_at": None,
            "status": CaseStatus.APPROVED if not route.steps else CaseStatus.PENDING,
        }  # fmt: skip
        if case is None:
            case = ApprovalCase.objects.create(application=application, round=1, **fields)
            event = "approval.case_opened"
        else:
            for name, value in fields.items():
                setattr(case, name, value)
            case.round += 1
            case.save()
            event = "approval.case_restarted"
        audit_event(actor, event, case, {"route": route.code, "round": case.round, "amount": money_str(amount),
                                         "risk_level": outcome.risk_level, "policy": policy.version})  # fmt: skip
        if not route.steps:
            case.decided_at = now
            case.save(update_fields=["decided_at", "updated_at"])
            lifecycle.credit_approve(application_id=application.pk, terms=outcome.terms, actor=actor,
                                     reason=f"approval route {route.code}")  # fmt: skip
            return
        application_set_status(application_id=application.pk, status=Status.IN_APPROVAL, actor=actor,
                               reason=f"approval route {route.code}")  # fmt: skip
        case.application.refresh_from_db()
        state, directory = case_state(case)
        _notify_pending(case, state, directory, reminder=False)


def _parse_amount(amount: Any) -> Decimal | None:
    """The amount an approver enters (blank: keep the case's amount); positive, at most two decimals."""
    errors: dict[str, list[Any]] = {}
    value = decimal_value(amount, "amount", errors)
    if errors or (value is not None and value <= 0):
        raise ValidationFailed(fields=errors or {"amount": [_("Enter a valid amount.")]})
    return value


def _refusal(code: str) -> Exception:
    return {engine.ALREADY_ACTED: AlreadyActed, engine.NOT_PENDING: CaseNotPending}.get(code, NotAnApprover)()


def approval_act(
    *, case_id: int, actor: Any, action: str, comment: str, amount: Any = None, request: HttpRequest | None = None
) -> ApprovalAction:
    """One approver's decision on the current step: ``approve`` (optionally lowering the amount), ``reject`` or
    ``refer_back``. The actor acts as themselves or, through an active delegation, for a delegator (``acting_for``).

    Refusals (nothing written): ``CommentRequired``, ``CaseNotPending``, ``AlreadyActed`` (one decision per person
    per step), ``NotAnApprover`` (role/user/branch do not match the step), ``AmountRaised``, ``AboveAuthority`` (on
    the route's last step the approving seat's authority limit must cover the amount).
    """
    if action not in Decision.values:
        raise ValidationFailed(fields={"action": [_("Choose approve, reject or refer back.")]})
    if not (comment or "").strip():
        raise CommentRequired(fields={"comment": [_("A comment is required.")]})
    new_amount = _parse_amount(amount) if action == Decision.APPROVE else None
    with transaction.atomic():
        case = (
            ApprovalCase.objects.select_for_update(of=("self",))
            .select_related("application__org_unit", "application__customer")
            .filter(pk=case_id).first()
        )  # fmt: skip
        if case is None:
            raise CaseNotFound()
        if case.status != CaseStatus.PENDING:
            raise CaseNotPending()
        steps = case_steps(case)
        directory = Directory(steps)
        people = directory.people_for(case.application)
        actions = case_actions(case)
        principal, refusal = None, engine.NOT_AN_APPROVER
        for candidate in [actor, *delegators_of(actor)]:
            found = engine.check_action(steps, actions, people, actor=actor.username, principal=candidate.username)
            if found is None:
                principal = candidate
                break
            if found != engine.NOT_AN_APPROVER and refusal == engine.NOT_AN_APPROVER:
                refusal = found
        if principal is None:
            raise _refusal(refusal)
        step_index = engine.evaluate(steps, actions, people).current_step or 0
        approved_amount = case.amount
        if action == Decision.APPROVE:
            if new_amount is not None and new_amount > case.amount:
                raise AmountRaised(fields={"amount": [_("At most %(amount)s.") % {"amount": money_str(case.amount)}]})
            approved_amount = new_amount if new_amount is not None else case.amount
            if step_index == len(steps) - 1:
                limited, ceiling = authority_of(principal)
                if limited and ceiling is not None and approved_amount > ceiling:
                    raise AboveAuthority(fields={"amount": [_("Your authority is %(limit)s.") % {
                        "limit": money_str(ceiling)}]})  # fmt: skip
        row = ApprovalAction.objects.create(
            case=case, round=case.round, step=step_index, actor=actor, principal=principal,
            acting_for=principal if principal.pk != actor.pk else None, action=action,
            amount=approved_amount if action == Decision.APPROVE else None, comment=comment.strip()[:4000],
        )  # fmt: skip
        audit_event(actor, f"approval.{action}", case, {
            "step": step_index + 1, "round": case.round, "route": case.route_code,
            "acting_for": principal.username if principal.pk != actor.pk else None,
            "amount": money_str(approved_amount) if action == Decision.APPROVE else None,
            "before": money_str(case.amount),
        }, request)  # fmt: skip
        case.amount = approved_amount
        state = engine.evaluate(steps, [*actions, engine.Action(step_index, actor.username, principal.username,
                                                                action)], people)  # fmt: skip
        _advance(case, state, directory, actor, comment.strip(), request)
    return row


def _advance(
    case: ApprovalCase, state: engine.CaseState, directory: Directory, actor: Any, comment: str,
    request: HttpRequest | None,
) -> None:  # fmt: skip
    now = timezone.now()
    application = case.application
    if state.outcome == engine.APPROVED:
        case.status, case.decided_at = CaseStatus.APPROVED, now
        case.save()
        audit_event(actor, "approval.case_closed", case, {"outcome": "approved", "amount": money_str(case.amount)},
                    request)  # fmt: skip
        lifecycle.credit_approve(application_id=application.pk, terms=_terms(case), actor=actor,
                                 reason=comment, request=request)  # fmt: skip
    elif state.outcome == engine.REJECTED:
        case.status, case.decided_at = CaseStatus.REJECTED, now
        case.save()
        audit_event(actor, "approval.case_closed", case, {"outcome": "rejected"}, request)
        lifecycle.credit_reject(application_id=application.pk, actor=actor, reasons=[comment], request=request)
    elif state.outcome == engine.REFERRED_BACK:
        case.status = CaseStatus.REFERRED_BACK
        case.save()
        lifecycle.referred_back(application, actor, comment, request)
    else:
        moved = state.current_step is not None and state.current_step != case.current_step
        if moved:
            case.current_step, case.step_started_at, case.reminded_at = state.current_step or 0, now, None
        case.save()
        if moved:
            _notify_pending(case, state, directory, reminder=False)


def sla_remind(*, now: dt.datetime | None = None) -> int:
    """Notify the pending approvers of every case whose current step waits longer than its SLA (once per step)."""
    moment = now or timezone.now()
    sent = 0
    cases = ApprovalCase.objects.filter(status=CaseStatus.PENDING, step_started_at__isnull=False).select_related(
        "application__org_unit", "application__customer"
    )
    for case in cases.order_by("pk"):
        steps = case_steps(case)
        if case.current_step >= len(steps):
            continue
        started = case.step_started_at or case.created_at
        due = started + dt.timedelta(hours=steps[case.current_step].sla_hours)
        if due > moment or case.reminded_at is not None:
            continue
        with transaction.atomic():
            locked = ApprovalCase.objects.select_for_update().get(pk=case.pk)
            if locked.reminded_at is not None or locked.status != CaseStatus.PENDING:
                continue
            state, directory = case_state(case)
            count = _notify_pending(case, state, directory, reminder=True)
            ApprovalCase.objects.filter(pk=case.pk).update(reminded_at=moment)
            audit_event(None, "approval.sla_reminded", case, {"step": case.current_step + 1, "notified": count})
            sent += count
    return sent
