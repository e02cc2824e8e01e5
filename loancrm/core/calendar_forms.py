"""Forms of the business-calendar page (parsing only; services write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.core.models import CalendarDay


class CalendarDayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)


class BusinessDateForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("New business date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ImportYearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
