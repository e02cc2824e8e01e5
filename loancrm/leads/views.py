"""Lead pages: the scoped list (filters, sort, pagination, masked PII) and the lead detail."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loancrm.accounts.models import User
from loancrm.accounts.scope import scope_q
from loancrm.core.errors import DomainError
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.leads import pipeline, pool, selectors
from loancrm.leads.choices import STAGE_TRANSITIONS, Stage, Validity
from loancrm.leads.forms import FunnelFilterForm
from loancrm.leads.funnel import DIMENSIONS, MAIN_PATH, FunnelRow, chart_options
from loancrm.leads.models import Channel
from loancrm.sales.panel import sales_panel


@perm_required("leads.view_lead")
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "stage", "channel", "validity")}
    qs = selectors.filter_leads(selectors.leads_visible_to(request.user), **filters)
    listing = paginate(
        request, qs, sorts={"created": "created_at", "stage": "stage", "amount": "desired_amount", "hits": "hit_count"},
        default_sort="-created",
    )  # fmt: skip
    context = {
        "listing": listing, "page_obj": listing.page_obj, "filters": filters, "stages": Stage.choices,
        "validities": Validity.choices, "channels": Channel.objects.order_by("code"),
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
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.summary())
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
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.summary())
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
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.summary())
    else:
        messages.success(request, _("Stage changed."))
    if request.POST.get("next") == "board":
        return redirect("leads:board")
    return redirect("leads:detail", pk=pk)


@perm_required("leads.view_lead")
@require_GET
def lead_funnel(request: HttpRequest) -> HttpResponse:
    form = FunnelFilterForm(request.GET)
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
