"""Filter forms of the overdue list and the bucket summary (the API takes the same filters, ``schemas``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.models import OrgUnit
from loancrm.core.forms import StyledFormMixin


class PortfolioFilterForm(StyledFormMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product"), required=False)
    branch = forms.TypedChoiceField(label=_("Branch"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, products: Sequence[str] = (), units: Sequence[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["product"]).choices = [
            ("", _("All products")),
            *[(code, code) for code in products],
        ]
        cast(forms.ChoiceField, self.fields["branch"]).choices = [
            ("", _("All branches")),
            *[(str(unit.pk), unit.name) for unit in units],
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters, by name (invalid or empty ones dropped)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value not in (None, "")}


class OverdueFilterForm(PortfolioFilterForm):
    bucket = forms.ChoiceField(label=_("Bucket"), required=False)
    dpd_min = forms.IntegerField(label=_("DPD from"), required=False, min_value=0)
    dpd_max = forms.IntegerField(label=_("DPD to"), required=False, min_value=0)
    amount_min = forms.DecimalField(label=_("Overdue amount from"), required=False, min_value=0, decimal_places=2)
    amount_max = forms.DecimalField(label=_("Overdue amount to"), required=False, min_value=0, decimal_places=2)

    field_order = ["bucket", "product", "branch", "dpd_min", "dpd_max", "amount_min", "amount_max"]

    def __init__(self, *args: Any, buckets: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["bucket"]).choices = [
            ("", _("All buckets")),
            *[(code, code) for code in buckets],
        ]
