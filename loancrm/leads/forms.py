"""Forms of the lead pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.business_date import current_business_date
from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.leads.funnel import DIMENSIONS
from loancrm.leads.models import Channel


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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = current_business_date()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or data["end"] - timedelta(days=89)
        if data["start"] > data["end"]:
            self.add_error("start", _("The start date is after the end date."))
        return data
