"""Compliance pages: consent texts (versions, publishing) and the register of consents."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from loancrm.compliance import services
from loancrm.compliance.models import Channel, Consent, ConsentText, Purpose
from loancrm.core.errors import DomainError
from loancrm.core.forms import StyledFormMixin, add_domain_error
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required


class PublishForm(StyledFormMixin, forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Purpose.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 8}))


@perm_required("compliance.view_consenttext")
@require_http_methods(["GET", "POST"])
def texts(request: HttpRequest) -> HttpResponse:
    form = PublishForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("compliance.manage_consent_text"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                text = services.consent_text_publish(actor=request.user, request=request, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Published %(text)s.") % {"text": text})
                return redirect("compliance:texts")
        status = 400
    groups = []
    for value, label in Purpose.choices:
        versions = list(ConsentText.objects.filter(purpose=value).order_by("-version"))
        groups.append(
            {"purpose": value, "label": label, "current": versions[0] if versions else None, "older": versions[1:]}
        )
    return render(request, "compliance/texts.html", {"groups": groups, "form": form}, status=status)


@perm_required("compliance.view_consent")
@require_GET
def consents(request: HttpRequest) -> HttpResponse:
    qs = Consent.objects.select_related("text", "subject_type", "recorded_by")
    purpose, state, channel = (
        request.GET.get("purpose", ""),
        request.GET.get("state", ""),
        request.GET.get("channel", ""),
    )
    if purpose in Purpose.values:
        qs = qs.filter(purpose=purpose)
    if channel in Channel.values:
        qs = qs.filter(given_channel=channel)
    if state == "in_force":
        qs = qs.filter(withdrawn_at__isnull=True)
    elif state == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    listing = paginate(request, qs, sorts={"given": "given_at", "withdrawn": "withdrawn_at"}, default_sort="-given")
    context = {
        "listing": listing, "page_obj": listing.page_obj, "purposes": Purpose.choices, "channels": Channel.choices,
        "purpose": purpose, "state": state, "channel": channel,
    }  # fmt: skip
    return render(request, "compliance/consents.html", context)
