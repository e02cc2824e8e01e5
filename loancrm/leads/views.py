"""Lead pages: the scoped list (filters, sort, pagination, masked PII) and the lead detail."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.leads import selectors
from loancrm.leads.choices import Stage, Validity
from loancrm.leads.models import Channel


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
    return render(request, "leads/detail.html", {"lead": lead, "hits": lead.hits.select_related("channel")[:50]})
