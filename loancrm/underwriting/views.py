"""Credit review pages: the queue (mine / my team's), the reviewer workbench with its actions, the routing rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.accounts.models import User
from loancrm.core.errors import DomainError, NotFound
from loancrm.core.forms import flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.decisioning.risk import LEVELS
from loancrm.underwriting import forms, phone, rules_admin, selectors, services
from loancrm.underwriting.choices import CaseStatus
from loancrm.underwriting.models import ReviewCase, ReviewTeam
from loancrm.underwriting.workbench import countdown_of, workbench

VIEW = "underwriting.view_reviewcase"


@perm_required(VIEW)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    supervising = request.user.has_perm(services.SUPERVISE)
    scope = request.GET.get("scope", "team" if supervising else "mine")
    if scope not in ("mine", "team"):
        scope = "mine"
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "status", "team", "assignee", "risk")}
    if "status" not in request.GET:
        filters["status"] = "open"
    user: Any = request.user
    rows = selectors.cases_visible_to(user)
    if scope == "mine":
        rows = rows.filter(assignee=user) | rows.filter(assignee__isnull=True, team__org_unit_id=user.org_unit_id)
    rows = selectors.filter_cases(rows, **filters)
    sorts = {"due": "due_at", "opened": "opened_at", "amount": "application__amount", "status": "status"}
    listing = paginate(request, rows, sorts=sorts, default_sort="due")
    now = timezone.now()
    shown = [{"case": case, "countdown": countdown_of(case, now)} for case in listing.rows]
    visible = selectors.cases_visible_to(user)
    teams = ReviewTeam.objects.filter(pk__in=visible.values("team_id"))
    reviewers = User.objects.filter(pk__in=visible.values("assignee_id")).order_by("full_name", "pk")
    context = {
        "listing": listing, "page_obj": listing.page_obj, "rows": shown, "filters": filters, "scope": scope,
        "supervising": supervising, "statuses": CaseStatus.choices, "teams": teams, "risks": LEVELS,
        "reviewers": reviewers if supervising else [],
    }  # fmt: skip
    return render(request, "underwriting/queue.html", context)


def _case(request: HttpRequest, pk: int) -> ReviewCase:
    try:
        return selectors.access_case(request.user, pk)
    except NotFound:
        raise Http404 from None


@perm_required(VIEW)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "underwriting/case.html", workbench(case, request.user))


def _act(request: HttpRequest, pk: int, call: Callable[[], Any], success: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, success)
    return redirect("underwriting:case", pk=pk)


@perm_required(VIEW)
@require_POST
def case_claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.review_case_claim(actor=request.user, case_id=pk, request=request),
                _("Case claimed: it is yours to review."))  # fmt: skip


@perm_required(VIEW)
@require_POST
def case_release(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.review_case_release(actor=request.user, case_id=pk, request=request)
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("underwriting:case", pk=pk)
    messages.success(request, _("Case released to the team's queue."))
    return redirect("underwriting:queue")


@perm_required(VIEW)
@require_POST
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk,
        lambda: services.review_case_reassign(
            actor=request.user, case_id=pk, assignee_id=request.POST.get("assignee", ""),
            reason=request.POST.get("reason", ""), request=request,
        ),
        _("Case reassigned."),
    )  # fmt: skip


@perm_required(VIEW)
@require_POST
def opinion_submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    try:
        services.review_opinion_submit(
            actor=request.user, case_id=case.pk, values=forms.opinion_values(request.POST), request=request
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        context = workbench(case, request.user)
        context.update(opinion_errors=exc.fields, opinion_error=exc.summary() if not exc.fields else "",
                       posted=request.POST)  # fmt: skip
        return render(request, "underwriting/case.html", context, status=400)
    messages.success(request, _("Review opinion submitted."))
    return redirect("underwriting:case", pk=pk)


@perm_required(VIEW)
@require_POST
def phone_call(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk,
        lambda: phone.phone_call_place(actor=request.user, case_id=pk, target=request.POST.get("target", "applicant"),
                                       request=request),
        _("Call placed; record its result below."),
    )  # fmt: skip


@perm_required(VIEW)
@require_POST
def phone_record(request: HttpRequest, pk: int) -> HttpResponse:
    pending = request.POST.get("verification", "")
    return _act(
        request, pk,
        lambda: phone.phone_verification_record(
            actor=request.user, case_id=pk, result=request.POST.get("result", ""),
            answers=forms.answers_of(request.POST), notes=request.POST.get("notes", ""),
            target=request.POST.get("target", "applicant"),
            verification_id=int(pending) if pending.isdigit() else None,
            recording=request.FILES.get("recording"), request=request,
        ),
        _("Phone verification recorded."),
    )  # fmt: skip


def _serve_document(request: HttpRequest, pk: int, doc_pk: int, thumbnail: bool) -> FileResponse:
    try:
        opened = services.case_document_open(
            actor=request.user, case_id=pk, document_id=doc_pk, thumbnail=thumbnail, request=request
        )
    except NotFound:
        raise Http404 from None
    response = FileResponse(opened.handle, content_type=opened.content_type,
                            as_attachment=bool(request.GET.get("download")), filename=opened.filename)  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@perm_required(VIEW)
@require_GET
def case_document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    return _serve_document(request, pk, doc_pk, thumbnail=False)


@perm_required(VIEW)
@require_GET
def case_document_thumbnail(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    return _serve_document(request, pk, doc_pk, thumbnail=True)


@perm_required(VIEW)
@require_GET
def recording(request: HttpRequest, pk: int) -> FileResponse:
    try:
        opened = phone.recording_open(actor=request.user, verification_id=pk, request=request)
    except NotFound:
        raise Http404 from None
    response = FileResponse(opened.handle, content_type=opened.content_type, filename=opened.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@perm_required(VIEW, "underwriting.mark_condition_met")
@require_POST
def condition_met(request: HttpRequest, pk: int) -> HttpResponse:
    case_pk = request.POST.get("case", "")
    try:
        services.review_condition_mark_met(
            actor=request.user, condition_id=pk, evidence=request.POST.get("evidence", ""), request=request
        )
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Condition marked as met."))
    return redirect("underwriting:case", pk=int(case_pk)) if case_pk.isdigit() else redirect("underwriting:queue")


@perm_required("underwriting.manage_routing")
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "underwriting/rules.html", rules_admin.rules_page())


@perm_required("underwriting.manage_routing")
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = rules_admin.rule_or_404(pk)
    form = rules_admin.RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rules_admin.routing_rule_save(actor=request.user, form=form, request=request)
        except DomainError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Routing rule saved."))
            return redirect("underwriting:rules")
    return render(request, "underwriting/rule_form.html", {"form": form, "rule": rule})
