"""Forms of the follow-up pages; validation that matters lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import StyledFormMixin
from loancrm.leads.choices import Stage
from loancrm.sales.choices import MANUAL_KINDS, ContactMethod, Intention, InteractionKind, Outcome
from loancrm.sales.models import RefusalReason, ScriptKind, TagColor


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class FollowUpForm(StyledFormMixin, forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=ContactMethod.choices, initial=ContactMethod.CALL)
    points = forms.CharField(label=_("Points discussed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    intention_before = forms.ChoiceField(label=_("Intention before"), choices=Intention.choices)
    intention_after = forms.ChoiceField(label=_("Intention after"), choices=Intention.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    refusal_reason = forms.ModelChoiceField(
        label=_("Refusal reason"), queryset=RefusalReason.objects.filter(active=True), required=False,
        help_text=_("Required when the customer declined."),
    )  # fmt: skip
    next_contact_at = forms.DateTimeField(
        label=_("Next contact"), required=False, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )


class InteractionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in MANUAL_KINDS], initial=InteractionKind.NOTE
    )
    summary = forms.CharField(label=_("Summary"), max_length=300)
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = forms.DateTimeField(
        label=_("When"), required=False, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    recording = forms.FileField(label=_("Recording"), required=False)
    provider_link = forms.CharField(label=_("Telephony link"), required=False, max_length=200)


class RefusalReasonForm(StyledFormMixin, forms.Form):
    label = forms.CharField(label=_("Reason"), max_length=60)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=9999, initial=100)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class SlaForm(StyledFormMixin, forms.Form):
    first_call_minutes = forms.IntegerField(label=_("First call within (minutes)"), min_value=1, max_value=1440)
    second_follow_up_days = forms.IntegerField(label=_("Second follow-up after (days)"), min_value=1, max_value=60)


class TagForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=30)
    color = forms.ChoiceField(label=_("Colour"), choices=TagColor.choices)
    rule = forms.CharField(
        label=_("Rule"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "positive_follow_ups >= 2"}),
        help_text=_("Empty for a manual tag; otherwise a CEL condition over the facts listed below."),
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ScriptForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ScriptKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    product = forms.CharField(label=_("Product"), max_length=60, required=False, help_text=_("Empty: every product."))
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Every stage")), *Stage.choices])
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    keywords = forms.CharField(label=_("Keywords"), max_length=200, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=9999, initial=100)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
