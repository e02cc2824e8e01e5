"""The loan list's filter form (the API takes the same filters as ``schemas.LoanFilters``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.loans.choices import LoanStatus


class LoanFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=80)
    status = forms.ChoiceField(label=_("Status"), required=False)
    product = forms.CharField(label=_("Product"), required=False, max_length=40)
    start_from = forms.DateField(label=_("Disbursed from"), required=False, widget=DateInput())
    start_to = forms.DateField(label=_("Disbursed to"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, products: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("All statuses")), *LoanStatus.choices]
        self.fields["product"].widget = forms.Select(
            choices=[("", _("All products")), *[(code, code) for code in products]], attrs={"class": "form-select"}
        )
        self.fields["q"].widget.attrs["placeholder"] = _("Contract number, customer name or number")

    def filters(self) -> dict[str, Any]:
        """The cleaned filters for ``loan_selectors.filter_loan_list`` (invalid ones dropped)."""
        if not self.is_bound or (not self.is_valid() and not hasattr(self, "cleaned_data")):
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
