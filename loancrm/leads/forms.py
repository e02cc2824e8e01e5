"""Forms of the lead pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.models import OrgUnit
from loancrm.core.business_date import current_business_date
from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.leads.assignment_config import parse_pairs
from loancrm.leads.funnel import DIMENSIONS
from loancrm.leads.models import AssignmentStrategy, Channel


class FunnelFilterForm(StyledFormMixin, forms.Form):
    """Funnel filters; the period defaults to the 90 days up to the business date."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    dimension = forms.ChoiceField(label=_("Break down by"), choices=list(DIMENSIONS.items()), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    campaign = forms.CharField(label=_("Campaign"), required=False, max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channels = [("", _("All channels")), *Channel.objects.values_list("code", "name")]
        self.fields["channel"].choices = channels  # type: ignore[attr-defined]

    @staticmethod
    def default_period() -> dict[str, date]:
        end = current_business_date()
        return {"start": end - timedelta(days=89), "end": end}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["end"] = data.get("end") or current_business_date()
        data["start"] = data.get("start") or data["end"] - timedelta(days=89)
        if data["start"] > data["end"]:
            self.add_error("start", _("The start date is after the end date."))
        return data


class AssignmentRuleForm(StyledFormMixin, forms.Form):
    """One rule; weights and regions are typed as ``key = value`` lines."""

    channel = forms.ChoiceField(label=_("Channel"))
    campaign = forms.CharField(
        label=_("Campaign"), required=False, max_length=80, help_text=_("Empty: every campaign.")
    )
    strategy = forms.ChoiceField(label=_("Strategy"), choices=AssignmentStrategy.choices)
    team = forms.ChoiceField(label=_("Receiving team"), required=False)
    weights = forms.CharField(
        label=_("Weights"), required=False, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "agent1 = 3"}),
        help_text=_("One agent per line: username = weight (weighted strategy)."),
    )  # fmt: skip
    regions = forms.CharField(
        label=_("Regions"), required=False, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "31 = SH-SALES1"}),
        help_text=_("One per line: region-code prefix or city name = team code (by-region strategy)."),
    )  # fmt: skip
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = list(Channel.objects.values_list("code", "name"))  # type: ignore[attr-defined]
        teams = OrgUnit.objects.filter(is_active=True).order_by("path").values_list("code", "name")
        self.fields["team"].choices = [("", _("The channel's team")), *teams]  # type: ignore[attr-defined]

    def _pairs(self, name: str) -> dict[str, str]:
        try:
            return parse_pairs(self.cleaned_data.get(name, ""))
        except ValueError as exc:
            raise forms.ValidationError(_("Cannot read the line “%(line)s”.") % {"line": exc.args[0]}) from exc

    def clean_weights(self) -> dict[str, str]:
        return self._pairs("weights")

    def clean_regions(self) -> dict[str, str]:
        return self._pairs("regions")
