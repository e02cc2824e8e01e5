"""Every write of credit review: open and route a case, claim / release / reassign it, the SLA reminders and
escalations, the reviewer's opinion and the conditions of a conditional approval.

Invariants: each function runs in one transaction, locks the case (or the application) row it changes, and writes
its audit event in that transaction; a refusal (``DomainError``) leaves nothing behind. A case is opened for an
application in manual review only, at most one active case per application (the application row is locked while
routing). Submitting an opinion hands it to the approval stage (``lifecycle.review_submitted``) in the same
transaction, so a failing approval step rolls the opinion back too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.models import User
from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.money import money_str
from loancrm.core.notifications import notify
from loancrm.decisioning.risk import risk_level_of_decision
from loancrm.products.terms import check_application_terms
from loancrm.underwriting import routing
from loancrm.underwriting.choices import (
    OPEN_STATUSES,
    WORKING_STATUSES,
    AssignmentMode,
    CaseStatus,
    ConditionKind,
    Recommendation,
)
from loancrm.underwriting.models import ReviewCase, ReviewCondition, ReviewOpinion, ReviewTeam, RoutingRule
from loancrm.underwriting.selectors import cases_visible_to

REVIEWER_ROLES = ("credit_reviewer", "credit_supervisor")
WORK = "underwriting.work_reviewcase"
SUPERVISE = "underwriting.supervise_reviewcase"
MAX_TEXT = 2000
MAX_POINTS = 20
MAX_CONDITIONS = 10

TERM_MESSAGES: dict[str, Any] = {
    "below_min": _("Below the product's minimum."),
    "above_max": _("Above the product's maximum."),
    "not_allowed": _("This product does not offer this repayment method."),
}
Errors = dict[str, list[Any]]


# --- members and workload -------------------------------------------------------------------------------------------


def team_members(team: ReviewTeam, roles: Iterable[str] = REVIEWER_ROLES) -> QuerySet[User]:
    """The active users of the team's unit with one of ``roles`` (reviewers and supervisors by default)."""
    return (
        User.objects.filter(is_active=True, org_unit_id=team.org_unit_id, groups__role__code__in=list(roles))
        .distinct()
        .order_by("pk")
    )


def team_supervisors(team: ReviewTeam) -> list[User]:
    return list(team_members(team, ("credit_supervisor",)))


def is_member(user: Any, team: ReviewTeam) -> bool:
    key: Any = getattr(user, "pk", None)
    return key is not None and team_members(team).filter(pk=key).exists()


def open_workload(user_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        ReviewCase.objects.filter(assignee_id__in=list(user_ids), status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def _pick_assignee(team: ReviewTeam) -> int | None:
    """The member who gets the next case of ``team`` (the team row must be locked for round robin)."""
    members = list(team_members(team).values_list("pk", flat=True))
    if team.mode == AssignmentMode.ROUND_ROBIN:
        return routing.pick_round_robin(members, team.last_assigned_id)
    return routing.pick_by_workload(members, open_workload(members))


# --- routing --------------------------------------------------------------------------------------------------------


def rule_spec(rule: RoutingRule) -> routing.RuleSpec:
    return routing.RuleSpec(
        id=rule.pk, team_id=rule.team_id, priority=rule.priority, is_default=rule.is_default, active=rule.active,
        min_amount=rule.min_amount, max_amount=rule.max_amount, product_codes=tuple(rule.product_codes or ()),
        risk_levels=tuple(rule.risk_levels or ()), unit_path=rule.org_unit.path if rule.org_unit else "",
    )  # fmt: skip


def facts_of(application: Application) -> routing.Facts:
    from loancrm.decisioning.models import Decision

    decision = Decision.objects.filter(application_id=application.pk).first()
    paths = (
        application.org_unit.path if application.org_unit else "",
        application.customer.org_unit.path if application.customer.org_unit else "",
    )
    return routing.Facts(
        amount=application.amount,
        product_code=application.product_version.product.code,
        risk_level=risk_level_of_decision(decision),
        unit_paths=tuple(p for p in paths if p),
    )


def route_application(application: Application) -> tuple[RoutingRule | None, routing.Facts]:
    rules = list(RoutingRule.objects.filter(active=True, team__active=True).select_related("org_unit"))
    facts = facts_of(application)
    chosen = routing.route([rule_spec(rule) for rule in rules], facts)
    return (next(r for r in rules if r.pk == chosen.id) if chosen else None), facts


def _case_link(case: ReviewCase) -> str:
    return reverse("underwriting:case", args=[case.pk])


def _notify_assigned(case: ReviewCase) -> None:
    if case.assignee_id:
        notify(
            [case.assignee_id], kind="review_case.assigned",
            title=gettext("Credit review case %(number)s assigned to you") % {"number": case.application.number},
            link=_case_link(case),
        )  # fmt: skip


def review_case_open(*, application_id: int, actor: Any = None) -> ReviewCase | None:
    """Open (route and assign) the review case of an application in manual review; idempotent.

    Returns the active case (the existing one, if any), or None when the application is not in manual review or no
    routing rule applies (the periodic job tries again later)."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("customer__org_unit", "org_unit", "product_version__product")
            .filter(pk=application_id)
            .first()
        )
        if application is None or application.status != Status.MANUAL_REVIEW:
            return None
        existing = ReviewCase.objects.filter(application=application).exclude(status=CaseStatus.CLOSED).first()
        if existing is not None:
            return existing
        rule, facts = route_application(application)
        if rule is None:
            return None
        team = ReviewTeam.objects.select_for_update().get(pk=rule.team_id)
        assignee = _pick_assignee(team)
        now = timezone.now()
        case = ReviewCase.objects.create(
            application=application, team=team, rule=rule, assignee_id=assignee, status=CaseStatus.QUEUED,
            risk_level=facts.risk_level, opened_at=now, due_at=now + dt.timedelta(hours=team.sla_hours),
        )  # fmt: skip
        if assignee is not None and team.mode == AssignmentMode.ROUND_ROBIN:
            team.last_assigned_id = assignee
            team.save(update_fields=["last_assigned"])
        audit_event(
            actor, "review_case.opened", application,
            {"case": case.pk, "team": team.name, "rule": rule.name, "assignee": assignee, "mode": team.mode,
             "risk_level": facts.risk_level, "due_at": case.due_at.isoformat()},
        )  # fmt: skip
        _notify_assigned(case)
        return case


def open_missing_cases(limit: int = 500) -> int:
    """Open cases for applications in manual review that have none (the periodic sweep); returns how many."""
    waiting = (
        Application.objects.filter(status=Status.MANUAL_REVIEW)
        .exclude(review_cases__status__in=[s for s in CaseStatus.values if s != CaseStatus.CLOSED])
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in list(waiting) if review_case_open(application_id=pk) is not None)


def close_stale_cases() -> int:
    """Close active cases whose application left review (withdrawn, approved, rejected elsewhere)."""
    stale = ReviewCase.objects.exclude(status=CaseStatus.CLOSED).exclude(
        application__status__in=(Status.MANUAL_REVIEW, Status.IN_APPROVAL)
    )
    count = 0
    for pk in list(stale.values_list("pk", flat=True)[:500]):
        count += int(_close(pk, None, "application left review"))
    return count


# --- claim, release, reassign ---------------------------------------------------------------------------------------


def _locked_case(actor: Any, case_id: int | str) -> ReviewCase:
    """The case in ``actor``'s scope, row-locked (missing and not yours: ``NotFound``)."""
    try:
        key = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    visible = cases_visible_to(actor).filter(pk=key).values_list("pk", flat=True).first()
    if visible is None:
        raise NotFound()
    return (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("application__product_version__product", "team", "assignee")
        .get(pk=visible)
    )


def _require(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied()


@transaction.atomic
def review_case_claim(*, actor: Any, case_id: int, request: HttpRequest | None = None) -> ReviewCase:
    """A team member takes a queued case (unassigned, or assigned to them) into review."""
    _require(actor, WORK)
    case = _locked_case(actor, case_id)
    if case.status != CaseStatus.QUEUED:
        raise InvalidTransition(gettext("This case is not waiting in the queue."), code="case_not_queued")
    if case.assignee_id not in (None, actor.pk):
        raise Conflict(gettext("This case is assigned to another reviewer."), code="case_assigned_elsewhere")
    if not is_member(actor, case.team):
        raise PermissionDenied(gettext("Only members of the case's team can claim it."), code="not_team_member")
    case.assignee, case.status, case.claimed_at = actor, CaseStatus.CLAIMED, timezone.now()
    case.save(update_fields=["assignee", "status", "claimed_at", "updated_at"])
    audit_event(actor, "review_case.claimed", case.application, {"case": case.pk}, request)
    return case


@transaction.atomic
def review_case_release(*, actor: Any, case_id: int, request: HttpRequest | None = None) -> ReviewCase:
    """The assignee gives a claimed case back to the team's queue (unassigned)."""
    _require(actor, WORK)
    case = _locked_case(actor, case_id)
    if case.status != CaseStatus.CLAIMED or case.assignee_id != actor.pk:
        raise InvalidTransition(gettext("Only the reviewer of a claimed case can release it."), code="case_not_yours")
    case.assignee, case.status, case.claimed_at = None, CaseStatus.QUEUED, None
    case.save(update_fields=["assignee", "status", "claimed_at", "updated_at"])
    audit_event(actor, "review_case.released", case.application, {"case": case.pk}, request)
    return case


@transaction.atomic
def review_case_reassign(
    *, actor: Any, case_id: int, assignee_id: int | str, reason: str, request: HttpRequest | None = None
) -> ReviewCase:
    """A supervisor gives an open case to another member of its team, with a reason (audited)."""
    _require(actor, SUPERVISE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(fields={"reason": [gettext("Give the reason for reassigning.")]})
    case = _locked_case(actor, case_id)
    if case.status not in OPEN_STATUSES:
        raise InvalidTransition(gettext("Only an open case can be reassigned."), code="case_not_open")
    try:
        target = team_members(case.team).filter(pk=int(assignee_id)).first()
    except (TypeError, ValueError):
        target = None
    if target is None:
        raise ValidationFailed(fields={"assignee": [gettext("Choose a member of the case's team.")]})
    if target.pk == case.assignee_id:
        raise ValidationFailed(fields={"assignee": [gettext("The case is already assigned to this reviewer.")]})
    before = case.assignee_id
    case.assignee = target
    if case.status == CaseStatus.CLAIMED:
        case.status, case.claimed_at = CaseStatus.QUEUED, None
    case.save(update_fields=["assignee", "status", "claimed_at", "updated_at"])
    audit_event(
        actor, "review_case.reassigned", case.application,
        {"case": case.pk, "from": before, "to": target.pk, "reason": reason[:200]}, request,
    )  # fmt: skip
    _notify_assigned(case)
    return case


def _close(case_id: int, actor: Any, reason: str) -> bool:
    with transaction.atomic():
        case = ReviewCase.objects.select_for_update().select_related("application").filter(pk=case_id).first()
        if case is None or case.status == CaseStatus.CLOSED:
            return False
        case.status, case.closed_at = CaseStatus.CLOSED, timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        audit_event(actor, "review_case.closed", case.application, {"case": case.pk, "reason": reason[:200]})
        return True


def _local(stamp: dt.datetime) -> str:
    return timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M")


# --- SLA ------------------------------------------------------------------------------------------------------------


def sla_sweep(now: dt.datetime | None = None) -> tuple[int, int]:
    """Remind the reviewer of open cases nearing their due time and escalate overdue ones to the team's
    supervisors, each once; returns (reminded, escalated)."""
    now = now or timezone.now()
    reminded = escalated = 0
    candidates = ReviewCase.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True)
    )
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            case = ReviewCase.objects.select_for_update().select_related("team", "application").get(pk=pk)
            if case.status not in OPEN_STATUSES:
                continue
            number = case.application.number
            if case.due_at <= now and case.escalated_at is None:
                supervisors = team_supervisors(case.team)
                notify(
                    supervisors, kind="review_case.escalated",
                    title=gettext("Credit review case %(number)s is overdue") % {"number": number},
                    body=gettext("Due at %(due)s.") % {"due": _local(case.due_at)},
                    link=_case_link(case),
                )  # fmt: skip
                case.escalated_at = now
                case.reminded_at = case.reminded_at or now
                case.save(update_fields=["escalated_at", "reminded_at", "updated_at"])
                audit_event(None, "review_case.escalated", case.application,
                            {"case": case.pk, "to": [u.pk for u in supervisors]})  # fmt: skip
                escalated += 1
            elif (
                case.reminded_at is None
                and case.due_at > now
                and case.due_at - now <= dt.timedelta(hours=case.team.remind_before_hours)
            ):
                recipients: list[Any] = [case.assignee_id] if case.assignee_id else list(team_members(case.team))
                notify(
                    recipients, kind="review_case.reminder",
                    title=gettext("Credit review case %(number)s is due soon") % {"number": number},
                    body=gettext("Due at %(due)s.") % {"due": _local(case.due_at)},
                    link=_case_link(case),
                )  # fmt: skip
                case.reminded_at = now
                case.save(update_fields=["reminded_at", "updated_at"])
                reminded += 1
    return reminded, escalated


# --- the opinion ----------------------------------------------------------------------------------------------------


def _decimal(raw: Any, field: str, errors: Errors, *, places: int) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        errors.setdefault(field, []).append(gettext("This field is required."))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.setdefault(field, []).append(gettext("Enter a number."))
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal(1).scaleb(-places)):
        errors.setdefault(field, []).append(gettext("Enter a positive number with at most %(places)s decimal places.")
                                            % {"places": places})  # fmt: skip
        return None
    return value


def _lines(values: Iterable[Any]) -> list[str]:
    return [" ".join(str(v).split())[:300] for v in values if str(v or "").strip()]


def clean_opinion(application: Application, values: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The opinion's values parsed and checked against the application's product version."""
    errors: Errors = {}
    recommendation = str(values.get("recommendation") or "").strip()
    if recommendation not in Recommendation.values:
        errors["recommendation"] = [gettext("Choose a recommendation.")]
    comment = str(values.get("comment") or "").strip()
    if not comment:
        errors["comment"] = [gettext("A comment is required.")]
    elif len(comment) > MAX_TEXT:
        errors["comment"] = [gettext("At most %(n)s characters.") % {"n": MAX_TEXT}]
    points = _lines(values.get("risk_points") or [])[:MAX_POINTS]
    conditions = []
    for row in values.get("conditions") or []:
        text = " ".join(str(row.get("text") or "").split())
        if not text:
            continue
        kind = str(row.get("kind") or ConditionKind.OTHER)
        if kind not in ConditionKind.values:
            errors.setdefault("conditions", []).append(gettext("Choose one of the allowed values."))
            continue
        conditions.append({"kind": kind, "text": text[:300]})
    if recommendation == Recommendation.CONDITIONAL and not conditions:
        errors.setdefault("conditions", []).append(gettext("A conditional approval needs at least one condition."))
    if recommendation != Recommendation.CONDITIONAL and conditions:
        errors.setdefault("conditions", []).append(gettext("Only a conditional approval has conditions."))
    if len(conditions) > MAX_CONDITIONS:
        errors.setdefault("conditions", []).append(gettext("At most %(n)s conditions.") % {"n": MAX_CONDITIONS})
    amount: Decimal | None
    rate: Decimal | None
    term: int | None
    if recommendation == Recommendation.REJECT:
        amount = application.amount
        rate, term, method = application.annual_rate, application.term_months, application.method
    else:
        amount = _decimal(values.get("amount"), "amount", errors, places=2)
        rate = _decimal(values.get("annual_rate"), "annual_rate", errors, places=6)
        term = None
        try:
            term = int(str(values.get("term_months") or "").strip())
        except ValueError:
            errors.setdefault("term_months", []).append(gettext("Enter a whole number."))
        method = str(values.get("method") or "").strip()
        if amount is not None and rate is not None and term is not None:
            problems = check_application_terms(
                application.product_version, amount=amount, term_months=term, method=method, rate=rate
            )
            for field, code in problems:
                errors.setdefault("annual_rate" if field == "rate" else field, []).append(TERM_MESSAGES[code])
    cleaned = {"recommendation": recommendation, "comment": comment, "risk_points": points, "conditions": conditions,
               "amount": amount, "annual_rate": rate, "term_months": term, "method": method}  # fmt: skip
    return cleaned, errors


@transaction.atomic
def review_opinion_submit(
    *, actor: Any, case_id: int, values: Mapping[str, Any], request: HttpRequest | None = None
) -> ReviewOpinion:
    """The assignee submits the review opinion: stored (append-only) with its conditions, the case moves to
    "opinion submitted" and the approval stage is told (``lifecycle.review_submitted``), all in one transaction."""
    _require(actor, WORK)
    case = _locked_case(actor, case_id)
    if case.assignee_id != actor.pk:
        raise PermissionDenied(gettext("Only the case's reviewer can submit its opinion."), code="case_not_yours")
    if case.status not in WORKING_STATUSES:
        raise InvalidTransition(gettext("Claim the case before submitting an opinion."), code="case_not_in_review")
    application = Application.objects.select_for_update(of=("self",)).select_related(
        "product_version__product"
    ).get(pk=case.application_id)  # fmt: skip
    if application.status != Status.MANUAL_REVIEW:
        raise InvalidTransition(gettext("The application is not in manual review."), code="application_not_in_review")
    cleaned, errors = clean_opinion(application, values)
    if errors:
        raise ValidationFailed(fields=errors)
    from loancrm.decisioning.models import Decision

    risk_level = risk_level_of_decision(Decision.objects.filter(application=application).first())
    opinion = ReviewOpinion.objects.create(
        case=case, application=application, recommendation=cleaned["recommendation"], amount=cleaned["amount"],
        annual_rate=cleaned["annual_rate"], term_months=cleaned["term_months"], method=cleaned["method"],
        risk_level=risk_level, risk_points=cleaned["risk_points"], comment=cleaned["comment"], created_by=actor,
    )  # fmt: skip
    for row in cleaned["conditions"]:
        ReviewCondition.objects.create(opinion=opinion, kind=row["kind"], text=row["text"])
    case.status = CaseStatus.OPINION_SUBMITTED
    case.save(update_fields=["status", "updated_at"])
    audit_event(
        actor, "review_opinion.submitted", application,
        {"case": case.pk, "opinion": opinion.pk, "recommendation": opinion.recommendation,
         "amount": money_str(opinion.amount), "annual_rate": str(opinion.annual_rate),
         "term_months": opinion.term_months, "method": opinion.method, "conditions": len(cleaned["conditions"])},
        request,
    )  # fmt: skip
    outcome = lifecycle.ReviewOutcome(
        recommendation=opinion.recommendation,
        terms=lifecycle.ApprovedTerms(
            amount=opinion.amount,
            annual_rate=opinion.annual_rate,
            term_months=opinion.term_months,
            method=opinion.method,
        ),
        risk_level=risk_level,
        comment=opinion.comment,
        risk_points=list(opinion.risk_points),
        conditions=[row["text"] for row in cleaned["conditions"]],
    )
    lifecycle.review_submitted(application, outcome, actor)
    return opinion


# --- conditions -----------------------------------------------------------------------------------------------------


def latest_opinion(application: Any) -> ReviewOpinion | None:
    return ReviewOpinion.objects.filter(application_id=getattr(application, "pk", application)).first()


@transaction.atomic
def review_condition_mark_met(
    *, actor: Any, condition_id: int, evidence: str, request: HttpRequest | None = None
) -> ReviewCondition:
    """Record that a condition of a conditional approval is met, with the evidence (audited; once only)."""
    _require(actor, "underwriting.mark_condition_met")
    condition = ReviewCondition.objects.select_for_update().select_related("opinion").filter(pk=condition_id).first()
    if condition is None or not cases_visible_to(actor).filter(pk=condition.opinion.case_id).exists():
        raise NotFound()
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationFailed(fields={"evidence": [gettext("Describe the evidence that the condition is met.")]})
    if condition.met:
        raise InvalidTransition(gettext("This condition is already met."), code="condition_already_met")
    condition.met, condition.met_by, condition.met_at = True, actor, timezone.now()
    condition.evidence = evidence[:MAX_TEXT]
    condition.save(update_fields=["met", "met_by", "met_at", "evidence"])
    application = Application.objects.get(pk=condition.opinion.application_id)
    audit_event(
        actor, "review_condition.met", application,
        {"condition": condition.pk, "opinion": condition.opinion_id, "kind": condition.kind}, request,
    )  # fmt: skip
    return condition


# --- documents seen from the workbench ------------------------------------------------------------------------------


def case_document_open(
    *, actor: Any, case_id: int, document_id: int, thumbnail: bool = False, request: HttpRequest | None = None
) -> Any:
    """Open a document of the case's application for the reviewer (the case's scope decides; every open audited)."""
    from loancrm.documents import limits
    from loancrm.documents.models import Document
    from loancrm.documents.services import OpenedFile

    case = cases_visible_to(actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    document = Document.objects.filter(pk=document_id, application_id=case.application_id).first()
    stored = (document.thumbnail if thumbnail else document.file) if document else None
    if document is None or not stored:
        raise NotFound()
    with transaction.atomic():
        audit_event(actor, "document.viewed", document,
                    {"doc_type": document.doc_type, "thumbnail": thumbnail, "case": case.pk}, request)  # fmt: skip
    suffix = ".jpg" if thumbnail else limits.EXTENSIONS.get(document.content_type, "")
    content_type = "image/jpeg" if thumbnail else document.content_type
    filename = f"{case.application.number}-{document.doc_type}-{document.pk}{'-thumb' if thumbnail else ''}{suffix}"
    return OpenedFile(stored.storage.open(stored.name, "rb"), filename, content_type, stored.size)
