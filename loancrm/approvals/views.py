"""Approval pages: my pending approvals, all cases, a case (diagram and action form), policies, delegations."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.accounts.models import RoleProfile, User
from loancrm.approvals import engine, presentation, selectors, services
from loancrm.approvals.directory import authority_of, delegators_of
from loancrm.approvals.models import (
    ApprovalCase,
    ApprovalPolicyVersion,
    AuthorityLimit,
    CaseStatus,
    Decision,
    Delegation,
    VersionStatus,
)
from loancrm.core.errors import DomainError, NotFound, ValidationFailed
from loancrm.core.forms import flash_refusal
from loancrm.core.listing import date_param, paginate
from loancrm.core.permissions import perm_required
from loancrm.loans.choices import RepaymentMethod

VIEW = "approvals.view_approvalcase"
ACT = "approvals.act_approvalcase"
VIEW_POLICY = "approvals.view_approvalpolicyversion"
MANAGE_POLICY = "approvals.manage_approvalpolicy"
RECOMMENDATIONS = {
    "approve": gettext_lazy("Approve"),
    "conditional": gettext_lazy("Conditional approval"),
    "reject": gettext_lazy("Reject"),
}
BANDS = {
    "50k": (None, Decimal("50000")),
    "200k": (Decimal("50000"), Decimal("200000")),
    "1m": (Decimal("200000"), Decimal("1000000")),
    "top": (Decimal("1000000"), None),
}

RISK_LABELS = {
    "low": gettext_lazy("Low risk"),
    "medium": gettext_lazy("Medium risk"),
    "high": gettext_lazy("High risk"),
}


@perm_required(ACT)
@require_GET
def my_pending(request: HttpRequest) -> HttpResponse:
    rows = selectors.pending_for(request.user)
    now = timezone.now()
    shown = []
    for p in rows:
        steps = services.case_steps(p.case)
        step = steps[p.state.current_step or 0] if steps else None
        started = p.case.step_started_at or p.case.created_at
        overdue = step is not None and now - started > dt.timedelta(hours=step.sla_hours)
        shown.append({"p": p, "step": presentation.step_view(step) if step else None, "overdue": overdue,
                      "for_others": [s for s in p.acting_for if s != request.user.username]})  # fmt: skip
    return render(request, "approvals/mine.html", {"rows": shown})


@perm_required(VIEW)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("status", "route", "band", "q")}
    rows = selectors.cases_visible_to(request.user)
    if filters["status"] in CaseStatus.values:
        rows = rows.filter(status=filters["status"])
    if filters["route"]:
        rows = rows.filter(route_code=filters["route"])
    if filters["band"] in BANDS:
        low, high = BANDS[filters["band"]]
        if low is not None:
            rows = rows.filter(requested_amount__gt=low)
        if high is not None:
            rows = rows.filter(requested_amount__lte=high)
    if filters["q"]:
        rows = rows.filter(application__number__icontains=filters["q"])
    sorts = {"updated": "updated_at", "amount": "amount", "created": "created_at", "step": "step_started_at"}
    listing = paginate(request, rows, sorts=sorts, default_sort="-updated")
    routes = sorted(set(ApprovalCase.objects.values_list("route_code", flat=True)))
    context = {"listing": listing, "page_obj": listing.page_obj, "rows": listing.rows, "filters": filters,
               "statuses": CaseStatus.choices, "routes": routes,
               "bands": [("50k", "≤ 5万"), ("200k", "5万–20万"), ("1m", "20万–100万"), ("top", "> 100万")]}  # fmt: skip
    return render(request, "approvals/list.html", context)


def _case_for(request: HttpRequest, pk: int) -> ApprovalCase:
    try:
        return selectors.access_case(request.user, pk)
    except NotFound:
        found = selectors.may_view_as_pending(request.user, pk)
        if found is None:
            raise Http404 from None
        return found


@perm_required(VIEW)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    if request.method == "POST":
        try:
            services.approval_act(
                case_id=case.pk, actor=request.user, action=request.POST.get("action", ""),
                comment=request.POST.get("comment", ""), amount=request.POST.get("amount") or None, request=request,
            )  # fmt: skip
        except DomainError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Your decision is recorded."))
        return redirect("approvals:case", pk=case.pk)
    view = presentation.case_view(case)
    pending = list(selectors.pending_for(request.user, ApprovalCase.objects.filter(pk=case.pk)))
    limited, ceiling = authority_of(request.user)
    context = {
        "case": case, "application": case.application, "view": view, "opinion": case.opinion,
        "can_act": bool(pending), "acting_for": pending[0].acting_for if pending else [],
        "decisions": Decision.choices, "authority": ceiling if limited else None,
        "last_step": case.current_step == len(case.steps) - 1,
        "recommendation": RECOMMENDATIONS.get(case.opinion.get("recommendation", ""), ""),
        "method_label": dict(RepaymentMethod.choices).get(case.opinion.get("method", ""), case.opinion.get("method")),
        "risk_label": RISK_LABELS.get(case.risk_level, case.risk_level),
    }  # fmt: skip
    return render(request, "approvals/case.html", context)


@perm_required(VIEW_POLICY)
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    versions = ApprovalPolicyVersion.objects.select_related("created_by", "published_by")
    limits = AuthorityLimit.objects.select_related("user").order_by("role", "user__username")
    roles = RoleProfile.objects.order_by("order")
    context = {"versions": versions, "published": services.published_policy(), "limits": limits,
               "can_manage": request.user.has_perm(MANAGE_POLICY), "roles": roles}  # fmt: skip
    return render(request, "approvals/policies.html", context)


@perm_required(VIEW_POLICY, MANAGE_POLICY)
@require_POST
def authority_set(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("max_amount", "").replace(",", "").strip()
    username = request.POST.get("username", "").strip()
    user = User.objects.filter(username=username).first() if username else None
    try:
        amount = Decimal(raw) if raw else None
        if username and user is None:
            raise ValidationFailed(fields={"username": [_("Unknown user.")]})
        services.authority_limit_set(role=request.POST.get("role", ""), user=user, max_amount=amount,
                                     actor=request.user, request=request)  # fmt: skip
    except InvalidOperation:
        messages.error(request, _("Enter a valid amount."))
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Authority limit saved."))
    return redirect("approvals:policies")


@perm_required(VIEW_POLICY, MANAGE_POLICY)
@require_POST
def policy_draft(request: HttpRequest) -> HttpResponse:
    source = request.POST.get("from", "")
    draft = services.policy_version_draft(actor=request.user, from_version_id=int(source) if source.isdigit() else None,
                                          request=request)  # fmt: skip
    return redirect("approvals:policy", pk=draft.pk)


@perm_required(VIEW_POLICY)
@require_http_methods(["GET", "POST"])
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = ApprovalPolicyVersion.objects.filter(pk=pk).first()
    if version is None:
        raise Http404
    errors: list[str] = []
    text = json.dumps(version.routes, ensure_ascii=False, indent=2)
    notes = version.notes
    if request.method == "POST":
        if not request.user.has_perm(MANAGE_POLICY):
            raise Http404
        text, notes = request.POST.get("routes", ""), request.POST.get("notes", "")
        try:
            if request.POST.get("publish"):
                services.policy_version_save(version_id=version.pk, routes=text, notes=notes, actor=request.user,
                                             request=request)  # fmt: skip
                services.policy_version_publish(version_id=version.pk, actor=request.user, request=request)
                messages.success(request, _("Approval policy published."))
            else:
                services.policy_version_save(version_id=version.pk, routes=text, notes=notes, actor=request.user,
                                             request=request)  # fmt: skip
                messages.success(request, _("Draft saved."))
            return redirect("approvals:policy", pk=version.pk)
        except DomainError as exc:
            errors = [str(m) for msgs in exc.fields.values() for m in msgs] or [exc.summary()]
    try:
        routes = engine.parse_routes(version.routes)
    except engine.PolicyInvalid:
        routes = []
    published = services.published_policy()
    base = published if published and published.pk != version.pk else None
    if base is None and version.status != VersionStatus.DRAFT:
        base = ApprovalPolicyVersion.objects.filter(version__lt=version.version).order_by("-version").first()
    context = {
        "version": version, "routes": presentation.routes_view(routes), "text": text, "notes": notes,
        "errors": errors, "diff": presentation.policy_diff(base, version), "base": base,
        "editable": version.status == VersionStatus.DRAFT and request.user.has_perm(MANAGE_POLICY),
    }  # fmt: skip
    return render(request, "approvals/policy.html", context)


@perm_required(ACT)
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("revoke"):
            try:
                services.delegation_revoke(delegation_id=int(request.POST["revoke"]), actor=request.user,
                                           request=request)  # fmt: skip
            except (DomainError, ValueError) as exc:
                if isinstance(exc, DomainError):
                    flash_refusal(request, exc)
            else:
                messages.success(request, _("Delegation revoked."))
            return redirect("approvals:delegations")
        delegate = User.objects.filter(pk=request.POST.get("delegate") or 0, is_active=True).first()
        starts, ends = date_param(request.POST.get("starts_on", "")), date_param(request.POST.get("ends_on", ""))
        if starts is None or ends is None:
            messages.error(request, _("Enter both dates."))
            return redirect("approvals:delegations")
        try:
            services.delegation_create(delegator=request.user, delegate=delegate, starts_on=starts, ends_on=ends,
                                       reason=request.POST.get("reason", ""), actor=request.user,
                                       request=request)  # fmt: skip
        except DomainError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Delegation saved."))
        return redirect("approvals:delegations")
    user = request.user
    mine = Delegation.objects.filter(delegator_id=user.pk).select_related("delegate")
    to_me = Delegation.objects.filter(delegate_id=user.pk).select_related("delegator")
    candidates = [
        u for u in User.objects.filter(is_active=True).exclude(pk=user.pk or 0).prefetch_related("groups__role")
        .order_by("username") if u.has_perm(ACT)
    ]  # fmt: skip
    context = {"mine": mine, "to_me": to_me, "candidates": candidates, "today": timezone.localdate(),
               "active_for": delegators_of(request.user)}  # fmt: skip
    return render(request, "approvals/delegations.html", context)
