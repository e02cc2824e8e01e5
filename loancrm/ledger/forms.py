"""Forms of the ledger pages: the trial-balance period, the journal filters, a period close or reopen."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.ledger.choices import EntryKind
from loancrm.ledger.models import LedgerAccount
from loancrm.ledger.services import REASON_MAX

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> dt.date | None:
    """``YYYY-MM`` as the first day of that month, or None when it is not a valid month."""
    match = MONTH.match((value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


class MonthField(forms.CharField):
    """A month picker (``<input type="month">``) cleaned to the month's first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        value = super().to_python(value)
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month


class TrialBalanceForm(StyledFormMixin, forms.Form):
    month = MonthField(label=_("Month"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("as_of")
        if start and end and start > end:
            self.add_error("date_from", _("The start date is after the end date."))
        return data


def account_choices() -> list[tuple[str, str]]:
    return [(account.code, f"{account.code} {account.name}") for account in LedgerAccount.objects.order_by("code")]


class JournalFilterForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    account = forms.ChoiceField(label=_("Account"), required=False)
    contract_no = forms.CharField(label=_("Contract number"), required=False, max_length=40)
    amount_min = forms.DecimalField(label=_("Amount from"), required=False, max_digits=18, decimal_places=2)
    amount_max = forms.DecimalField(label=_("Amount to"), required=False, max_digits=18, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *EntryKind.choices]  # type: ignore[attr-defined]
        self.fields["account"].choices = [("", _("All accounts")), *account_choices()]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The cleaned filters for ``selectors.filter_entries`` (none when the form is invalid)."""
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class PeriodActionForm(StyledFormMixin, forms.Form):
    month = MonthField(label=_("Month"))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)
