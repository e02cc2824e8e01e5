"""Lead pages: the scoped list (filters, sort, pagination, masked PII) and the lead detail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.accounts.models import User
from loancrm.accounts.scope import scope_q
from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.leads import assignment_config, pipeline, pool, selectors
from loancrm.leads.choices import STAGE_TRANSITIONS, Stage, Validity
from loancrm.leads.forms import AssignmentRuleForm, FunnelFilterForm
from loancrm.leads.funnel import DIMENSIONS, MAIN_PATH, FunnelRow, chart_options
from loancrm.leads.models import AssignmentRule, Channel
from loancrm.sales.models import Tag
from loancrm.sales.panel import sales_panel


@perm_required("leads.view_lead")
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "stage", "channel", "validity", "tag")}
    qs = selectors.filter_leads(selectors.leads_visible_to(request.user), **filters).prefetch_related("tags__tag")
    listing = paginate(
        request, qs, sorts={"created": "created_at", "stage": "stage", "amount": "desired_amount", "hits": "hit_count"},
        default_sort="-created",
    )  # fmt: skip
    context = {
        "listing": listing, "page_obj": listing.page_obj, "filters": filters, "stages": Stage.choices,
        "validities": Validity.choices, "channels": Channel.objects.order_by("code"),
        "tags": Tag.objects.filter(active=True),
    }  # fmt: skip
    return render(request, "leads/list.html", context)


@perm_required("leads.view_lead")
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.access_lead(request.user, pk)
    agents = []
    if request.user.has_perm("leads.assign_lead"):
        agents = list(
            User.objects.filter(scope_q(request.user, owner="pk", org_unit="org_unit"), is_active=True)
            .filter(groups__role__code="sales_agent")
            .order_by("username")
        )
    context = {
        "lead": lead,
        "hits": lead.hits.select_related("channel")[:50],
        "agents": agents,
        "next_stages": sorted(STAGE_TRANSITIONS[lead.stage] - pipeline.SYSTEM_STAGES),
        "stage_labels": dict(Stage.choices),
        **sales_panel(request.user, lead),
    }
    return render(request, "leads/detail.html", context)


@perm_required("leads.intake_lead")
@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    leads = pool.pool_for(request.user).select_related("channel")
    sorts = {"created": "created_at", "amount": "desired_amount"}
    listing = paginate(request, leads, sorts=sorts, default_sort="-created")
    context = {
        "listing": listing, "page_obj": listing.page_obj, "claimed": pool.claims_today(request.user),
        "limit": pool.pool_settings().daily_claim_limit,
    }  # fmt: skip
    return render(request, "leads/pool.html", context)


@perm_required("leads.intake_lead")
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lead = pool.lead_claim(actor=request.user, lead_id=pk, request=request)  # type: ignore[arg-type]
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("leads:pool")
    messages.success(request, _("%(lead)s is now yours.") % {"lead": lead})
    return redirect("leads:detail", pk=lead.pk)


@perm_required("leads.assign_lead")
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        owner_id = int(request.POST.get("owner", "0"))
    except ValueError:
        owner_id = 0
    try:
        pool.lead_reassign(actor=request.user, lead_id=pk, owner_id=owner_id,  # type: ignore[arg-type]
                           reason=request.POST.get("reason", ""), request=request)  # fmt: skip
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Lead reassigned."))
    return redirect("leads:detail", pk=pk)


@perm_required("leads.view_lead")
@require_GET
def lead_board(request: HttpRequest) -> HttpResponse:
    qs = selectors.leads_visible_to(request.user).filter(validity=Validity.VALID)
    return render(request, "leads/board.html", {"columns": pipeline.board(qs), "stages": dict(Stage.choices)})


@perm_required("leads.view_lead")
@require_POST
def stage_change(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        pipeline.lead_stage_change(
            actor=request.user,
            lead_id=pk,
            stage=request.POST.get("stage", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Stage changed."))
    if request.POST.get("next") == "board":
        return redirect("leads:board")
    return redirect("leads:detail", pk=pk)


@perm_required("leads.view_lead")
@require_GET
def lead_funnel(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    for key, value in FunnelFilterForm.default_period().items():
        data.setdefault(key, value.isoformat())
    form = FunnelFilterForm(data)
    rows: list[FunnelRow] = []
    dimension = ""
    if form.is_valid():
        rows = selectors.funnel_for(request.user, **form.cleaned_data)
        dimension = form.cleaned_data["dimension"]
    context = {
        "form": form,
        "rows": rows,
        "dimension": dimension,
        "dimension_label": DIMENSIONS.get(dimension, ""),
        "stages": [Stage(stage).label for stage in MAIN_PATH],
        "charts": chart_options(rows, dimension),
    }
    return render(request, "leads/funnel.html", context)


@perm_required("leads.change_assignmentrule")
@require_http_methods(["GET", "POST"])
def assignment_settings(request: HttpRequest) -> HttpResponse:
    """Assignment rules per channel/campaign and the on-duty state and capacity of the agents in scope."""
    form = AssignmentRuleForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "duty":
        raw_user, raw_capacity = request.POST.get("user_id", ""), request.POST.get("capacity", "")
        try:
            assignment_config.agent_duty_set(
                actor=request.user, user_id=int(raw_user) if raw_user.isdigit() else 0,
                on_duty=request.POST.get("on_duty") == "on",
                capacity=int(raw_capacity) if raw_capacity.isdigit() else -1, request=request,
            )  # fmt: skip
        except DomainError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Duty saved."))
        return redirect("leads:assignment")
    if request.method == "POST":
        form = AssignmentRuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assignment_config.assignment_rule_save(
                    actor=request.user, channel_code=data["channel"], campaign=data["campaign"],
                    strategy=data["strategy"], team_code=data["team"], weights=data["weights"],
                    regions=data["regions"], active=data["active"], request=request,
                )  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Assignment rule saved."))
                return redirect("leads:assignment")
        status = 422
    context = {
        "form": form,
        "rules": AssignmentRule.objects.select_related("channel", "team"),
        "agents": selectors.agents_in_scope(request.user),
    }
    return render(request, "leads/assignment.html", context, status=status)
