"""The public H5 landing page: a short mobile form with consent, source from the URL, rate-limited per address.

Invariants: nothing is written for invalid input or a missing consent; a duplicate person sees the same thank-you
page as a new one (the page never reveals that they are known); the consent records the exact text version shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from loancrm.compliance.models import Purpose
from loancrm.compliance.services import consent_give, consent_in_force, current_text
from loancrm.core.audit import client_ip
from loancrm.core.forms import StyledFormMixin
from loancrm.leads.choices import IntakeOutcome
from loancrm.leads.models import Channel
from loancrm.leads.services import lead_intake

AMOUNTS = [
    ("", _("Choose")),
    ("20000", "2万"),
    ("50000", "5万"),
    ("100000", "10万"),
    ("200000", "20万"),
    ("500000", "50万"),
]


class H5Form(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    city = forms.CharField(label=_("City"), max_length=40, required=False)
    desired_amount = forms.ChoiceField(label=_("How much do you need?"), choices=AMOUNTS, required=False)
    consent = forms.BooleanField(label=_("I have read and agree to the authorisation above"))
    consent_version = forms.IntegerField(widget=forms.HiddenInput)
    marketing = forms.BooleanField(label=_("Send me offers (optional)"), required=False)


def _channel(request: HttpRequest) -> Channel:
    code = request.GET.get("channel") or getattr(settings, "LEAD_H5_DEFAULT_CHANNEL", "website")
    channel = Channel.objects.filter(code=code, is_blocked=False).first()
    if channel is None:
        raise Http404
    return channel


def _over_limit(request: HttpRequest) -> bool:
    key = f"h5-submit:{client_ip(request)}"
    count = int(cache.get_or_set(key, 0, timeout=3600) or 0)
    if count >= int(getattr(settings, "LEAD_H5_SUBMISSIONS_PER_HOUR", 10)):
        return True
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
    return False


@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest) -> HttpResponse:
    channel = _channel(request)
    text = current_text(Purpose.CONTACT)
    if text is None:
        raise Http404
    campaign = request.GET.get("campaign", "")[:80]
    form = H5Form(request.POST or None, initial={"consent_version": text.version})
    context: dict[str, Any] = {"form": form, "text": text, "channel": channel, "campaign": campaign}
    if request.method == "POST":
        if _over_limit(request):
            context["limited"] = True
            return render(request, "leads/h5/landing.html", context, status=429)
        if form.is_valid() and form.cleaned_data["consent_version"] != text.version:
            form.add_error(None, _("The authorisation text has changed; please read it again."))
        if form.is_valid():
            data = {**form.cleaned_data, "channel": channel.code, "campaign": campaign}
            with transaction.atomic():
                result = lead_intake(data=data, request=request)
                if result.outcome == IntakeOutcome.INVALID:
                    for field, messages in result.errors.items():
                        form.add_error(field if field in form.fields else None, messages)
                    transaction.set_rollback(True)
                elif result.lead is not None:
                    _record_consents(result.lead, form.cleaned_data, request)
            if form.is_valid():
                return redirect("h5:thanks")
        return render(request, "leads/h5/landing.html", context, status=400)
    return render(request, "leads/h5/landing.html", context)


def _record_consents(lead: Any, data: dict[str, Any], request: HttpRequest) -> None:
    for purpose, wanted in ((Purpose.CONTACT, True), (Purpose.MARKETING, data.get("marketing"))):
        if wanted and current_text(purpose) and consent_in_force(lead, purpose) is None:
            version = data["consent_version"] if purpose == Purpose.CONTACT else None
            consent_give(subject=lead, purpose=purpose, channel="h5", text_version=version, request=request)


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/h5/thanks.html")
